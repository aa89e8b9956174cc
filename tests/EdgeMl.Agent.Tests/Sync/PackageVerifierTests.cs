using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;

namespace EdgeMl.Agent.Tests.Sync;

public sealed class PackageVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FleetKey _fleet;
    private readonly FleetKey _stranger;
    private readonly InstalledModel _model = new("crack-detector", "v1", 3);

    public PackageVerifierTests()
    {
        _fleet = FleetKey.LoadOrCreate(_temp.File("fleet.key"));
        _stranger = FleetKey.LoadOrCreate(_temp.File("stranger.key"));
    }

    [Fact]
    public void Installs_a_bundle_signed_by_the_fleet()
    {
        var bundle = Bundle(_fleet);

        var directory = Verifier().Install(bundle, _model);

        Assert.Equal("v1", Verifier().Verify(directory, _model).Manifest.Version);
        Assert.False(Directory.Exists(directory + ".staging"));
    }

    [Fact]
    public void Refuses_a_bundle_signed_by_another_key()
    {
        var error = Assert.Throws<InvalidDataException>(() => Verifier().Install(Bundle(_stranger), _model));

        Assert.Contains("the signature is not the fleet's", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Verifier().DirectoryOf(_model)));
    }

    [Fact]
    public void Refuses_a_signature_for_another_sequence()
    {
        var error = Assert.Throws<InvalidDataException>(() => Verifier().Install(Bundle(_fleet), _model with { Sequence = 9 }));

        Assert.Contains("not sequence 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catches_a_model_changed_on_disk_after_install()
    {
        var directory = Verifier().Install(Bundle(_fleet), _model);
        var model = Path.Combine(directory, ModelPackage.ModelFile);
        var bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 1;
        File.WriteAllBytes(model, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Verifier().Verify(directory, _model));

        Assert.Contains("differs from what the fleet signed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_unsigned_bundle_and_entries_outside_the_package()
    {
        var unsigned = _temp.File("unsigned.bundle");
        using (var file = File.Create(unsigned))
        {
            ModelBundle.Write(file, File.ReadAllBytes(Path.Combine(Repo.Package("v1"), "manifest.json")), File.ReadAllBytes(Path.Combine(Repo.Package("v1"), "model.onnx")), "{}"u8.ToArray());
        }

        var error = Assert.Throws<InvalidDataException>(() => Verifier().Install(unsigned, _model));

        Assert.Contains("the signature is not the fleet's", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_package_signed_by_a_revoked_signing_key()
    {
        using var rotated = FleetKey.LoadOrCreate(_temp.File("signing-2.key"));
        var signedByRevoked = Bundle(_fleet);

        var error = Assert.Throws<InvalidDataException>(() => Verifier(rotated).Install(signedByRevoked, _model));

        Assert.Contains($"signed by key {_fleet.KeyId}, this device trusts key {rotated.KeyId}", error.Message, StringComparison.Ordinal);
        Assert.Equal("v1", Verifier(rotated).Verify(Verifier(rotated).Install(Bundle(rotated), _model), _model).Manifest.Version);
    }

    public void Dispose()
    {
        _fleet.Dispose();
        _stranger.Dispose();
        _temp.Dispose();
    }

    private PackageVerifier Verifier(FleetKey? signer = null) => new(_temp.File("data"), (signer ?? _fleet).PublicKey, 64L * 1024 * 1024);

    private string Bundle(FleetKey key)
    {
        var manifest = File.ReadAllBytes(Path.Combine(Repo.Package("v1"), "manifest.json"));
        var model = File.ReadAllBytes(Path.Combine(Repo.Package("v1"), "model.onnx"));
        var signature = new PackageSignature
        {
            Name = _model.Name,
            Version = _model.Version,
            Sequence = _model.Sequence,
            ManifestSha256 = ModelPackage.Hash(manifest),
            ModelSha256 = ModelPackage.Hash(model),
            ModelSize = model.Length,
        }.SignWith(key);
        var path = _temp.File(Guid.NewGuid().ToString("N") + ".bundle");
        using var file = File.Create(path);
        ModelBundle.Write(file, manifest, model, signature.ToJson());
        return path;
    }
}
