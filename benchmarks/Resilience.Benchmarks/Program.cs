System.Console.WriteLine("benchmarks coming");
