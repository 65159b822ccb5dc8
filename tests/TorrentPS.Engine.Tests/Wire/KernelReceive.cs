using System.Globalization;
using System.Runtime.InteropServices;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>
/// Tells when a thread sits in the kernel receiving from a given socket, for tests about what ends a blocked read:
/// Linux shows the system call a thread is blocked in, with its arguments, in <c>/proc/self/task/TID/syscall</c>.
/// </summary>
internal static class KernelReceive
{
    /// <summary>The calling thread's kernel id (Linux: <c>/proc/thread-self</c> links to <c>PID/task/TID</c>), to hand to <see cref="WaitUntilBlockedAsync"/>; 0 elsewhere.</summary>
    public static int CurrentThreadId()
        => OperatingSystem.IsLinux() && new FileInfo("/proc/thread-self").LinkTarget is { } target
            ? int.Parse(target[(target.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture)
            : 0;

    /// <summary>
    /// Waits until thread <paramref name="threadId"/> is blocked in <c>recv</c> on <paramref name="socket"/>. False
    /// where the kernel does not show it (not Linux, an unknown architecture): the caller then goes on unsure.
    /// </summary>
    public static async Task<bool> WaitUntilBlockedAsync(int threadId, int socket, TimeSpan timeout)
    {
        // glibc's recv is the recvfrom system call.
        int? recvfrom = RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => 45,
            System.Runtime.InteropServices.Architecture.Arm64 => 207,
            _ => null,
        };
        if (!OperatingSystem.IsLinux() || threadId == 0 || recvfrom is not { } call)
        {
            return false;
        }

        var path = $"/proc/self/task/{threadId}/syscall";
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // "45 0x1c 0x7f…": the call's number, then its arguments (the socket first).
            var fields = (await File.ReadAllTextAsync(path)).Split(' ');
            if (fields.Length > 1 && fields[0] == call.ToString(CultureInfo.InvariantCulture)
                && long.Parse(fields[1].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) == socket)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"thread {threadId} was not blocked in recv on socket {socket} within {timeout} ({string.Join(' ', fields.Take(2))})");
            }

            await Task.Delay(2); // a poll of the kernel's view, not a guess at how long the read takes to start
        }
    }
}
