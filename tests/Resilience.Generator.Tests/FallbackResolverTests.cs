using Microsoft.CodeAnalysis;
using Resilience.Generator.Binding;
using Resilience.Generator.Model;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>DESIGN.md's fallback binding rule, on the resolver the generator and analyzers share.</summary>
public sealed class FallbackResolverTests
{
    private static FallbackResolution Resolve(string members, string method = "M", string fallback = "F", string? handler = null, string extra = "")
    {
        var compilation = GeneratorHarness.CreateCompilation($$"""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            namespace A;
            public interface I
            {
            {{members}}
            }
            {{extra}}
            """);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var type = compilation.GetTypeByMetadataName("A.I")!;
        var target = type.GetMembers(method).OfType<IMethodSymbol>().First();
        var handlerType = handler is null ? null : compilation.GetTypeByMetadataName(handler);
        return FallbackResolver.Resolve(target, type, handlerType, fallback, compilation);
    }

    [Fact]
    public void Binds_same_return_type_with_parameters_by_name_and_exception()
    {
        var r = Resolve("Task<string> M(int id, string name, CancellationToken ct); Task<string> F(int id, CancellationToken ct, Exception error);");
        Assert.Equal(FallbackFailure.None, r.Failure);
        Assert.Equal(new[] { 0, 2, -1 }, r.ArgumentMap);
        Assert.Equal(FallbackTarget.InnerInstance, r.Target);
        Assert.Equal(FallbackReturnKind.TaskOfT, r.ReturnKind);
        Assert.True(r.HandlesAllExceptions);
    }

    [Theory]
    [InlineData("string F();", "Value")]
    [InlineData("Task<string> F();", "TaskOfT")]
    [InlineData("ValueTask<string> F();", "ValueTaskOfT")]
    public void Task_of_T_methods_accept_T_Task_of_T_and_ValueTask_of_T(string fallback, string kind)
    {
        var r = Resolve("Task<string> M(); " + fallback);
        Assert.Equal(FallbackFailure.None, r.Failure);
        Assert.Equal(kind, r.ReturnKind.ToString());
    }

    [Theory]
    [InlineData("void F();", "Void")]
    [InlineData("Task F();", "Task")]
    [InlineData("ValueTask F();", "ValueTask")]
    public void Void_like_methods_accept_void_Task_and_ValueTask(string fallback, string kind)
    {
        Assert.Equal(kind, Resolve("ValueTask M(); " + fallback).ReturnKind.ToString());
        Assert.Equal(kind, Resolve("void M(); " + fallback).ReturnKind.ToString());
    }

    [Theory]
    [InlineData("Task<string> M(); int F();")]
    [InlineData("Task<string> M(); Task<object> F();")]
    [InlineData("string M(); Task<string> F();")]
    [InlineData("Task M(); Task<int> F();")]
    public void Other_return_types_do_not_bind(string members)
    {
        var r = Resolve(members);
        Assert.Equal(FallbackFailure.ReturnTypeMismatch, r.Failure);
        Assert.Contains("must return", r.Detail);
    }

    [Fact]
    public void Nullability_differences_do_not_matter()
        => Assert.True(Resolve("Task<string?> M(string? key); Task<string> F(string key);").IsBound);

    [Fact]
    public void Missing_method_is_not_found()
    {
        var r = Resolve("int M();", fallback: "Nope");
        Assert.Equal(FallbackFailure.NotFound, r.Failure);
        Assert.Contains("no method named 'Nope'", r.Detail);
    }

    [Fact]
    public void Parameter_with_another_type_is_a_parameter_mismatch()
    {
        var r = Resolve("int M(int id); int F(long id);");
        Assert.Equal(FallbackFailure.ParameterMismatch, r.Failure);
        Assert.Contains("'id'", r.Detail);
    }

    [Fact]
    public void Parameters_out_of_order_are_a_parameter_mismatch()
    {
        var r = Resolve("int M(int a, int b); int F(int b, int a);");
        Assert.Equal(FallbackFailure.ParameterMismatch, r.Failure);
        Assert.Contains("order", r.Detail);
    }

    [Fact]
    public void Unknown_parameter_is_a_parameter_mismatch()
        => Assert.Equal(FallbackFailure.ParameterMismatch, Resolve("int M(int a); int F(int other);").Failure);

    [Fact]
    public void Two_exception_parameters_are_invalid()
        => Assert.Equal(FallbackFailure.InvalidExceptionParameter, Resolve("int M(); int F(Exception a, IOException b);").Failure);

    [Fact]
    public void Narrower_exception_parameter_handles_only_that_type()
    {
        var r = Resolve("int M(); int F(IOException error);");
        Assert.True(r.IsBound);
        Assert.False(r.HandlesAllExceptions);
        Assert.Equal("System.IO.IOException", r.ExceptionType!.ToDisplayString());
    }

    [Fact]
    public void Overload_using_the_most_parameters_wins()
    {
        var r = Resolve("int M(int a, int b); int F(); int F(int a, Exception e); int F(int b);");
        Assert.True(r.IsBound);
        Assert.Equal(new[] { 0, -1 }, r.ArgumentMap);
    }

    [Fact]
    public void Equally_good_overloads_are_ambiguous()
    {
        var r = Resolve("int M(int a, string b); int F(int a); int F(string b);");
        Assert.Equal(FallbackFailure.Ambiguous, r.Failure);
    }

    [Fact]
    public void Most_specific_failure_is_reported()
        => Assert.Equal(FallbackFailure.ParameterMismatch, Resolve("int M(int a); string F(); int F(long a);").Failure);

    [Fact]
    public void Static_interface_method_is_called_statically()
        => Assert.Equal(FallbackTarget.Static, Resolve("int M(); static int F() => 0;").Target);

    [Fact]
    public void Handler_static_and_instance_methods_bind()
    {
        const string handler = "public sealed class H { public static int S(Exception e) => 0; public int N() => 1; private int P() => 2; }";
        Assert.Equal(FallbackTarget.Static, Resolve("int M();", fallback: "S", handler: "A.H", extra: handler).Target);
        Assert.Equal(FallbackTarget.HandlerInstance, Resolve("int M();", fallback: "N", handler: "A.H", extra: handler).Target);
        var hidden = Resolve("int M();", fallback: "P", handler: "A.H", extra: handler);
        Assert.Equal(FallbackFailure.NotFound, hidden.Failure);
        Assert.Contains("not accessible", hidden.Detail);
    }

    [Fact]
    public void Handler_methods_inherited_from_a_base_class_bind()
        => Assert.True(Resolve("int M();", fallback: "N", handler: "A.H", extra: "public class B { public int N() => 1; } public sealed class H : B { }").IsBound);

    [Fact]
    public void Generic_fallback_binds_with_the_method_type_parameters()
    {
        var r = Resolve("Task<T> M<T>(T value); T F<T>(T value, Exception e);");
        Assert.True(r.IsBound);
        Assert.Equal(FallbackReturnKind.Value, r.ReturnKind);
        Assert.Equal(FallbackFailure.ParameterMismatch, Resolve("Task<T> M<T>(T value); T F<T, U>(T value);").Failure);
    }
}
