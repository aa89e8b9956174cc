namespace EdgeMl.Agent.Inference;

/// <summary>The configured execution provider cannot run here; the message says why and what to do.</summary>
public sealed class ExecutionProviderUnavailableException : Exception
{
    public ExecutionProviderUnavailableException()
    {
    }

    public ExecutionProviderUnavailableException(string message) : base(message)
    {
    }

    public ExecutionProviderUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
