namespace EdgeMl.Agent.Configuration;

/// <summary>Turns every problem a settings check found into one refusal, so a user fixes them all in one go.</summary>
internal static class SettingsProblems
{
    /// <exception cref="ArgumentException">At least one problem was found; the message lists them all.</exception>
    public static void ThrowIfAny(IEnumerable<string> problems)
    {
        var found = problems.ToList();
        if (found.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", found));
        }
    }
}
