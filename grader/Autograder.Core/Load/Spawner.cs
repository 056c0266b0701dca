using System.Collections.Concurrent;

namespace Autograder.Load;

/// <summary>
/// Starts processes that outlive the thread that needs them (compile services shared by every job, workers
/// started ahead) on one dedicated thread that lives as long as the grader. The sandbox gives each host a
/// parent-death signal, and Linux sends it when the *thread* that forked it exits: a host forked on a pool
/// thread is SIGKILLed when the pool retires that idle thread, in the middle of someone else's work.
/// Thread-safe.
/// </summary>
internal static class Spawner
{
    private static readonly BlockingCollection<Action> Work = Start();

    /// <summary>Runs <paramref name="spawn"/> on the spawner thread and returns what it returned (or throws what it threw).</summary>
    public static T Run<T>(Func<T> spawn)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                done.SetResult(spawn());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="work"/> (which starts a host and waits for it) on a thread of its own, not
    /// the pool's: blocked pool threads would starve the grading jobs until the pool grows (about one thread a
    /// second).</summary>
    public static void InBackground(Action work) =>
        _ = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static BlockingCollection<Action> Start()
    {
        var work = new BlockingCollection<Action>();
        var thread = new Thread(() =>
        {
            foreach (var action in work.GetConsumingEnumerable())
            {
                action();
            }
        })
        {
            IsBackground = true,
            Name = "host spawner",
        };
        thread.Start();
        return work;
    }
}
