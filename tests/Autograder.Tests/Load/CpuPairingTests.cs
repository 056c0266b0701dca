using System.Diagnostics;
using Autograder.Load;

namespace Autograder.Tests.Load;

[TestFixture]
[NonParallelizable]
public sealed class CpuPairingTests
{
    [SetUp]
    public void NeedsTwoCpus() =>
        Assume.That(CpuPairing.Enabled, "pairing needs Linux and at least two CPUs this process may use");

    // "0-1", "1", "0,2-3" from /proc/<pid>/task/<tid>/status.
    private static string Cpus(string statusPath) =>
        File.ReadLines(statusPath).First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))["Cpus_allowed_list:".Length..].Trim();

    private static string ThisThread() => Cpus("/proc/thread-self/status");

    private static string Process(int pid) => Cpus($"/proc/{pid}/status");

    [Test]
    public void A_scope_pins_its_thread_to_one_cpu_until_disposed()
    {
        var before = ThisThread();
        using (CpuPairing.Pair())
        {
            Assert.That(ThisThread(), Does.Match(@"^\d+$"));
            using (CpuPairing.Pair())
            {
                Assert.That(ThisThread(), Does.Match(@"^\d+$"), "a nested scope changes nothing");
            }

            Assert.That(ThisThread(), Does.Match(@"^\d+$"), "the nested scope's end does not end the outer one");
        }

        Assert.That(ThisThread(), Is.EqualTo(before));
    }

    [Test]
    public void Concurrent_scopes_take_different_cpus()
    {
        using var held = new Barrier(2);
        var cpus = new string[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            using (CpuPairing.Pair())
            {
                cpus[i] = ThisThread();
                held.SignalAndWait();
                held.SignalAndWait();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.That(cpus[0], Is.Not.EqualTo(cpus[1]));
    }

    [Test]
    public void Processes_started_in_a_scope_inherit_its_cpu_and_earlier_ones_join_it()
    {
        using var earlier = System.Diagnostics.Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            using (CpuPairing.Pair())
            {
                var cpu = ThisThread();
                using var started = System.Diagnostics.Process.Start(new ProcessStartInfo("sleep", "30"))!;
                try
                {
                    Assert.That(Process(started.Id), Is.EqualTo(cpu), "started from the paired thread");
                    Assert.That(Process(earlier.Id), Is.Not.EqualTo(cpu), "not yet joined");
                    CpuPairing.Join(earlier.Id);
                    Assert.That(Process(earlier.Id), Is.EqualTo(cpu));
                }
                finally
                {
                    started.Kill();
                }
            }
        }
        finally
        {
            earlier.Kill();
        }
    }

    [Test]
    public void Join_outside_a_scope_or_of_a_gone_process_does_nothing()
    {
        using var earlier = System.Diagnostics.Process.Start(new ProcessStartInfo("sleep", "30"))!;
        var before = Process(earlier.Id);
        CpuPairing.Join(earlier.Id);
        Assert.That(Process(earlier.Id), Is.EqualTo(before));
        earlier.Kill();
        earlier.WaitForExit();

        using (CpuPairing.Pair())
        {
            Assert.DoesNotThrow(() => CpuPairing.Join(earlier.Id));
        }
    }
}
