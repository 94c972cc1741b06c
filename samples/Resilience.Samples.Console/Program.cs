System.Console.WriteLine("sample coming");
