using System.Collections.Concurrent;
using System.Management.Automation;

namespace TorrentPS.Jobs;

/// <summary>
/// Makes torrent jobs PowerShell jobs: Import-Module registers this adapter with the runspace's job manager, each
/// <c>-AsJob</c> hands it its <see cref="TorrentJob"/>, and <c>Get-Job</c>, <c>Wait-Job</c>, <c>Receive-Job</c>,
/// <c>Stop-Job</c>, <c>Suspend-Job</c>, <c>Resume-Job</c> and <c>Remove-Job</c> find them through it. Jobs belong to the
/// runspace that started them (as every job does); the torrents themselves are the session's (Get-Torrent, anywhere).
/// </summary>
public sealed class TorrentJobSourceAdapter : JobSourceAdapter
{
    private readonly ConcurrentDictionary<Guid, TorrentJob> _jobs = new();

    public TorrentJobSourceAdapter() => Name = nameof(TorrentJobSourceAdapter);

    /// <summary>Takes the job a transfer cmdlet made (the first parameter of the specification).</summary>
    public override Job2 NewJob(JobInvocationInfo specification)
    {
        ArgumentNullException.ThrowIfNull(specification);
        if (specification.Parameters.Count == 0 || specification.Parameters[0].Count == 0 || specification.Parameters[0][0].Value is not TorrentJob job)
        {
            throw new ArgumentException("A torrent job is made by -AsJob on Start-TorrentDownload, Start-MagnetDownload or Start-TorrentSeed.", nameof(specification));
        }

        _jobs[job.InstanceId] = job;
        return job;
    }

    public override IList<Job2> GetJobs() => _jobs.Values.OrderBy(j => j.Id).ToArray<Job2>();

    public override IList<Job2> GetJobsByName(string name, bool recurse)
    {
        var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
        return _jobs.Values.Where(j => pattern.IsMatch(j.Name)).OrderBy(j => j.Id).ToArray<Job2>();
    }

    public override IList<Job2> GetJobsByCommand(string command, bool recurse)
    {
        var pattern = WildcardPattern.Get(command, WildcardOptions.IgnoreCase);
        return _jobs.Values.Where(j => pattern.IsMatch(j.Command)).OrderBy(j => j.Id).ToArray<Job2>();
    }

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) => _jobs.GetValueOrDefault(instanceId);

    public override Job2? GetJobBySessionId(int id, bool recurse) => _jobs.Values.FirstOrDefault(j => j.Id == id);

    public override IList<Job2> GetJobsByState(JobState state, bool recurse)
        => _jobs.Values.Where(j => j.JobStateInfo.State == state).OrderBy(j => j.Id).ToArray<Job2>();

    /// <summary>Filters are for persisted job stores; torrent jobs live in memory only.</summary>
    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => [];

    /// <summary>Forgets the job (Remove-Job stops a running one first when -Force says so); the torrent stays in the session.</summary>
    public override void RemoveJob(Job2 job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_jobs.TryRemove(job.InstanceId, out var removed))
        {
            removed.Dispose();
        }
    }
}
