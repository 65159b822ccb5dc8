using System.Net.Sockets;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>
/// What Linux's /proc says about this process's sockets and threads: which file descriptors .NET's socket engine
/// watches with epoll (a socket in that set wakes the runtime's epoll thread, and through it the thread pool, every
/// time data arrives), and whether a named thread is asleep.
/// </summary>
internal static class RuntimeEpoll
{
    /// <summary>The descriptors watched by every epoll instance of the process (the runtime's socket engine has one).</summary>
    public static HashSet<int> WatchedDescriptors()
    {
        var watched = new HashSet<int>();
        foreach (var link in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(link).LinkTarget != "anon_inode:[eventpoll]")
                {
                    continue;
                }

                foreach (var line in File.ReadAllLines($"/proc/self/fdinfo/{Path.GetFileName(link)}"))
                {
                    // "tfd:       57 events:       19 data: ..."
                    if (line.StartsWith("tfd:", StringComparison.Ordinal))
                    {
                        watched.Add(int.Parse(line["tfd:".Length..].TrimStart().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return watched;
    }

    public static int Descriptor(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    /// <summary>Whether the descriptor has <c>O_NONBLOCK</c> set at the system level.</summary>
    public static bool IsNonBlocking(Socket socket)
    {
        var flags = File.ReadAllLines($"/proc/self/fdinfo/{Descriptor(socket)}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
        const int nonBlocking = 0x800;
        return (Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & nonBlocking) != 0;
    }

    /// <summary>Whether the thread named <paramref name="name"/> (at most 15 characters: Linux keeps no more) is asleep in the kernel.</summary>
    public static bool IsAsleep(string name)
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != name)
                {
                    continue;
                }

                // "tid (comm) S ...": the state follows the name's closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                return stat[stat.LastIndexOf(')') + 2] == 'S';
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return false;
    }
}
