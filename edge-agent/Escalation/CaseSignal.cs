namespace EdgeMl.Agent.Escalation;

/// <summary>Wakes the uploader when a case was written, so it neither polls an empty queue nor waits to notice a new case.</summary>
public sealed class CaseSignal : IDisposable
{
    private readonly SemaphoreSlim _written = new(0, 1);

    public void Notify()
    {
        // One pending wake-up is enough: the uploader reads everything waiting when it wakes.
        if (_written.CurrentCount == 0)
        {
            try
            {
                _written.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _written.WaitAsync(cancellationToken);

    public void Dispose() => _written.Dispose();
}
