namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// The broker's side of enrolment and revocation. The embedded broker checks the database on every connect;
/// an external one learns of each device here, so a device enrolled later connects without a broker restart.
/// </summary>
internal interface IBrokerAccounts
{
    Task AddDeviceAsync(string deviceId, string secret, CancellationToken cancellationToken);

    /// <summary>
    /// A device proved its secret on a gRPC call: one enrolled before the external broker was set up gets its account
    /// now, without enrolling again. Never fails the call: a broker that does not answer is tried on the next one.
    /// </summary>
    Task DeviceAuthenticatedAsync(string deviceId, string secret, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the account and with it the device's connection, so a revoked device is refused at once. The embedded broker has no
    /// accounts: the revocation itself (<see cref="Devices.DeviceRevocations"/>) drops the connection, on every replica.
    /// </summary>
    Task RemoveDeviceAsync(string deviceId, CancellationToken cancellationToken);
}
