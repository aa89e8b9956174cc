using System.Net;
using System.Net.Sockets;

namespace EdgeMl.Fleet.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>
    /// A TCP port the OS just handed out on loopback; free for the moment after, so another process can take it first.
    /// Only for servers that cannot bind port 0 and report the port back (PostgreSQL); the fleet server can.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
