using EdgeMl.Agent.Configuration;
using EdgeMl.Contracts.Packaging;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Inference;

/// <summary>Loads a package into a ready model and logs the provider it really runs on.</summary>
public sealed partial class ModelLoader(InferenceOptions options, ILogger<ModelLoader> logger)
{
    public LoadedModel Load(string packageDirectory)
    {
        SettingsProblems.ThrowIfAny(options.Validate());

        var package = ModelPackage.Load(packageDirectory);
        var model = LoadedModel.Load(package, options);
        if (model.Provider.FallbackReason is { } reason)
        {
            LogFallback(logger, package.Manifest.Id, model.Provider.Provider, reason);
        }

        if (!Imaging.TurboJpeg.IsAvailable)
        {
            LogSlowJpeg(logger, package.Manifest.Id, Imaging.TurboJpeg.Library);
        }

        LogReady(logger, package.Manifest.Id, model.Provider.Provider, options.Workers, options.IntraOpThreads);
        return model;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} ready on execution provider {Provider} ({Workers} workers, {IntraOpThreads} intra-op threads each)")]
    private static partial void LogReady(ILogger logger, string model, string provider, int workers, int intraOpThreads);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} gets JPEG frames decoded by SkiaSharp, about twice as slow: {Library} is not installed (apt-get install libturbojpeg0)")]
    private static partial void LogSlowJpeg(ILogger logger, string model, string library);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} runs on {Provider} instead of CUDA: {Reason}")]
    private static partial void LogFallback(ILogger logger, string model, string provider, string reason);
}
