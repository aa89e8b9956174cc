namespace EdgeMl.Contracts.Packaging;

/// <summary>A model package that cannot be used; <see cref="Problems"/> lists every reason at once.</summary>
public sealed class ModelPackageException : Exception
{
    public ModelPackageException(string packagePath, IReadOnlyList<string> problems)
        : base(Format(packagePath, problems))
    {
        PackagePath = packagePath;
        Problems = problems;
    }

    public ModelPackageException()
    {
        PackagePath = "";
        Problems = [];
    }

    public ModelPackageException(string message) : base(message)
    {
        PackagePath = "";
        Problems = [message];
    }

    public ModelPackageException(string message, Exception innerException) : base(message, innerException)
    {
        PackagePath = "";
        Problems = [message];
    }

    public string PackagePath { get; }

    public IReadOnlyList<string> Problems { get; }

    private static string Format(string packagePath, IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? $"model package '{packagePath}' is refused: {problems[0]}"
            : $"model package '{packagePath}' is refused:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}";
}
