using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Resilience.Samples.Tests;

/// <summary>
/// The Web API's own OpenTelemetry setup (the one that writes to the console) subscribes to the library's
/// <c>Resilience</c> ActivitySource and Meter: an in-memory exporter added to it receives the call's spans and metrics.
/// </summary>
/// <remarks>
/// A tracer provider listens to every source of that name in the process, so these tests run alone
/// (<see cref="TelemetryCollection"/>): no other test's app adds spans while they look.
/// </remarks>
[Collection(TelemetryCollection.Name)]
public sealed class WebApiTelemetryTests
{
    [Fact]
    public async Task OpenTelemetry_receives_the_library_spans_and_metrics_under_the_Resilience_names()
    {
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        await using SampleApps apps = await SampleApps.StartAsync(configureWebApi: services => services
            .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(activities))
            .ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics)));
        await apps.SetDownstreamModeAsync("transient&failures=1");

        Assert.Equal(HttpStatusCode.OK, (await apps.GetFromApiAsync("weather/paris")).StatusCode);

        // The call's span is a child of the request's; its two attempts (a 503, then 200) are its children.
        Activity call = Assert.Single(activities, a => a.Source.Name == ResilienceTelemetry.Name && a.DisplayName == "IWeatherClient.GetForecastAsync");
        Assert.Equal("Microsoft.AspNetCore", call.Parent?.Source.Name);
        Assert.Equal("success", call.GetTagItem("resilience.outcome"));
        Assert.Equal(2, activities.Count(a => a.ParentSpanId == call.SpanId && a.DisplayName == "IWeatherClient.GetForecastAsync attempt"));

        Assert.True(apps.WebApiServices.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        Assert.Contains(metrics, m => m.MeterName == ResilienceTelemetry.Name && m.Name == "resilience.calls");
        Assert.Contains(metrics, m => m.MeterName == ResilienceTelemetry.Name && m.Name == "resilience.retry.attempts");
    }
}

/// <summary>Tests that read process-wide telemetry: run after the others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
