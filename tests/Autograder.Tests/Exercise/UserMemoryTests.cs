using Autograder.Exercise;
using Autograder.Protocol;

namespace Autograder.Tests.Exercise;

public class UserMemoryTests
{
    private static readonly byte[] Four = [1, 2, 3, 4];

    [Test]
    public void Allocate_places_each_variable_in_a_fresh_page_of_the_window()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4);
        var b = memory.Allocate(4);
        Assert.That(a, Is.InRange(Layout.UserWindowBase, Layout.UserWindowBase + Layout.UserWindowSize - 1));
        Assert.That(a / UserMemory.PageSize, Is.Not.EqualTo(b / UserMemory.PageSize));
        Assert.That(a % UserMemory.PageSize, Is.EqualTo((ulong)UserMemory.VariableOffset));
        Assert.That(memory.IsMapped(a, UserProt.ReadWrite), Is.True);
    }

    [Test]
    public void Fresh_variable_holds_initial_value_then_canary()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4, [9, 8], slack: 4);
        Assert.That(memory.Read(a, 8), Is.EqualTo(new byte[] { 9, 8, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5 }));
        Assert.That(memory.Read(a - 1, 1), Is.EqualTo(new byte[] { 0xA5 }), "canary before the variable too");
    }

    [Test]
    public void Large_variable_gets_consecutive_pages()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(3 * UserMemory.PageSize, slack: 16);
        Assert.That(a % UserMemory.PageSize, Is.Zero);
        var buffer = new byte[(3 * UserMemory.PageSize) + 16];
        Assert.That(memory.CopyTo(a, buffer, Api.CopyToUser), Is.Zero);
    }

    [Test]
    public void Initial_longer_than_the_variable_is_a_grader_bug() =>
        Assert.That(() => new UserMemory().Allocate(2, Four), Throws.ArgumentException);

    [Test]
    public void CopyTo_writes_and_records()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4);
        Assert.That(memory.CopyTo(a, Four, Api.CopyToUser), Is.Zero);
        Assert.That(memory.Read(a, 4), Is.EqualTo(Four));
        Assert.That(memory.Accesses, Is.EqualTo(new[] { new UserAccess(true, a, 4, 0, Api.CopyToUser) }));
        Assert.That(memory.WrittenBytes, Is.EqualTo(new[] { a, a + 1, a + 2, a + 3 }));
    }

    [Test]
    public void Overlong_copy_shows_in_written_bytes_even_when_values_did_not_change()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4);
        byte[] eight = [1, 2, 3, 4, 0xA5, 0xA5, 0xA5, 0xA5];
        Assert.That(memory.CopyTo(a, eight, Api.CopyToUser), Is.Zero);
        Assert.That(memory.WrittenBytes, Has.Count.EqualTo(8));
        Assert.That(memory.WrittenBytes.Max(), Is.EqualTo(a + 7));
    }

    [Test]
    public void Written_bytes_are_listed_once_in_order_of_first_write()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4);
        memory.CopyTo(a + 2, [1, 1], Api.CopyToUser);
        memory.CopyTo(a, Four, Api.CopyToUser);
        Assert.That(memory.WrittenBytes, Is.EqualTo(new[] { a + 2, a + 3, a, a + 1 }));
    }

    [Test]
    public void Grader_writes_and_reads_are_not_recorded()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4);
        memory.Write(a, Four);
        _ = memory.Read(a, 4);
        Assert.That(memory.Accesses, Is.Empty);
        Assert.That(memory.WrittenBytes, Is.Empty);
    }

    [Test]
    public void CopyFrom_reads_the_variable()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4, Four);
        var into = new byte[4];
        Assert.That(memory.CopyFrom(into, a, Api.CopyFromUser), Is.Zero);
        Assert.That(into, Is.EqualTo(Four));
        Assert.That(memory.Accesses, Is.EqualTo(new[] { new UserAccess(false, a, 4, 0, Api.CopyFromUser) }));
    }

    [TestCase(0UL)]
    [TestCase(8UL)]
    [TestCase(4095UL)]
    public void Null_page_is_never_mapped(ulong address)
    {
        var memory = new UserMemory();
        Assert.That(memory.IsMapped(address, UserProt.None), Is.False);
        Assert.That(memory.CopyTo(address, Four, Api.CopyToUser), Is.EqualTo(4UL));
        var into = new byte[] { 7, 7, 7, 7 };
        Assert.That(memory.CopyFrom(into, address, Api.CopyFromUser), Is.EqualTo(4UL));
        Assert.That(into, Is.All.Zero);
    }

    [Test]
    public void Unmapped_address_is_in_the_window_and_refuses_copies()
    {
        var memory = new UserMemory();
        var u = memory.Unmapped();
        Assert.That(u, Is.InRange(Layout.UserWindowBase, Layout.UserWindowBase + Layout.UserWindowSize - 1));
        Assert.That(memory.IsMapped(u, UserProt.None), Is.False);
        Assert.That(memory.CopyTo(u, Four, Api.CopyToUser), Is.EqualTo(4UL));
        Assert.That(memory.WrittenBytes, Is.Empty);
        Assert.That(memory.Read(u, 4), Is.All.Zero, "unmapped bytes read back as 0");
    }

    [Test]
    public void Unmapped_addresses_stay_unmapped_however_much_is_allocated()
    {
        var memory = new UserMemory();
        var u = memory.Unmapped();
        var allocated = Enumerable.Range(0, 500).Select(_ => memory.Allocate(4)).ToList();
        Assert.That(allocated.Select(a => a / UserMemory.PageSize), Does.Not.Contain(u / UserMemory.PageSize));
        Assert.That(memory.IsMapped(u, UserProt.None), Is.False);
        Assert.That(memory.Unmapped(), Is.Not.EqualTo(u));
    }

    [TestCase(Layout.KernelHalf)]
    [TestCase(0xffff_ffff_ffff_f000UL)]
    [TestCase(0x7fff_ffff_f000UL)]
    [TestCase(0x1000UL)]
    public void Kernel_half_and_addresses_outside_the_window_are_never_mapped(ulong address)
    {
        var memory = new UserMemory();
        memory.Allocate(4);
        Assert.That(memory.CopyTo(address, Four, Api.CopyToUser), Is.EqualTo(4UL));
        Assert.That(memory.CopyFrom(new byte[4], address, Api.CopyFromUser), Is.EqualTo(4UL));
    }

    [Test]
    public void Range_that_wraps_around_is_never_valid()
    {
        var memory = new UserMemory();
        var into = new byte[16];
        Assert.That(memory.CopyFrom(into, ulong.MaxValue - 3, Api.CopyFromUser), Is.EqualTo(16UL));
        Assert.That(memory.CopyTo(ulong.MaxValue, Four, Api.CopyToUser), Is.EqualTo(4UL));
    }

    [Test]
    public void Range_reaching_into_the_kernel_half_copies_nothing()
    {
        // access_ok refuses the whole range, not just the part above the boundary.
        var memory = new UserMemory();
        Assert.That(memory.CopyTo(Layout.KernelHalf - 2, Four, Api.CopyToUser), Is.EqualTo(4UL));
    }

    [Test]
    public void Read_only_page_refuses_copy_to_user_but_allows_copy_from_user()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4, Four, UserProt.Read);
        Assert.That(memory.CopyTo(a, [9, 9, 9, 9], Api.CopyToUser), Is.EqualTo(4UL));
        Assert.That(memory.Read(a, 4), Is.EqualTo(Four), "unchanged");
        Assert.That(memory.WrittenBytes, Is.Empty);
        var into = new byte[4];
        Assert.That(memory.CopyFrom(into, a, Api.CopyFromUser), Is.Zero);
        Assert.That(into, Is.EqualTo(Four));
    }

    [Test]
    public void Write_only_page_refuses_copy_from_user()
    {
        var memory = new UserMemory();
        var a = memory.Allocate(4, Four, UserProt.Write);
        Assert.That(memory.CopyFrom(new byte[4], a, Api.CopyFromUser), Is.EqualTo(4UL));
        Assert.That(memory.CopyTo(a, Four, Api.CopyToUser), Is.Zero);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(4)]
    public void Straddling_copy_to_user_copies_the_valid_prefix(int valid)
    {
        var memory = new UserMemory();
        var a = memory.AllocateStraddling(valid);
        Assert.That((a + (ulong)valid) % UserMemory.PageSize, Is.Zero, "valid bytes end the page");
        Assert.That(memory.IsMapped(a + (ulong)valid, UserProt.None), Is.False, "next page unmapped");
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        Assert.That(memory.CopyTo(a, data, Api.CopyToUser), Is.EqualTo((ulong)(8 - valid)));
        Assert.That(memory.Read(a, valid), Is.EqualTo(data.Take(valid).ToArray()));
        Assert.That(memory.WrittenBytes, Has.Count.EqualTo(valid));
    }

    [Test]
    public void Straddling_copy_from_user_zero_fills_the_rest()
    {
        var memory = new UserMemory();
        var a = memory.AllocateStraddling(2);
        memory.Write(a, [0x11, 0x22]);
        var into = new byte[] { 9, 9, 9, 9 };
        Assert.That(memory.CopyFrom(into, a, Api.GetUser), Is.EqualTo(2UL));
        Assert.That(into, Is.EqualTo(new byte[] { 0x11, 0x22, 0, 0 }));
        Assert.That(memory.Accesses[^1], Is.EqualTo(new UserAccess(false, a, 4, 2, Api.GetUser)));
    }

    [Test]
    public void Page_after_a_straddling_allocation_is_never_handed_out()
    {
        var memory = new UserMemory();
        var a = memory.AllocateStraddling(4);
        var next = memory.Allocate(4);
        Assert.That(next / UserMemory.PageSize, Is.Not.EqualTo((a + 4) / UserMemory.PageSize));
        Assert.That(memory.IsMapped(a + 4, UserProt.None), Is.False);
    }

    [Test]
    public void Zero_length_copies_succeed_anywhere()
    {
        var memory = new UserMemory();
        Assert.That(memory.CopyTo(0, [], Api.CopyToUser), Is.Zero);
        Assert.That(memory.CopyFrom([], Layout.KernelHalf, Api.CopyFromUser), Is.Zero);
        Assert.That(memory.Accesses, Has.Count.EqualTo(2));
    }

    [Test]
    public void Grader_write_to_unmapped_memory_is_a_grader_bug() =>
        Assert.That(() => new UserMemory().Write(Layout.UserWindowBase, Four), Throws.InvalidOperationException);

    [Test]
    public void Protection_is_reported_per_page()
    {
        var memory = new UserMemory();
        var ro = memory.Allocate(4, prot: UserProt.Read);
        Assert.That(memory.IsMapped(ro, UserProt.Read), Is.True);
        Assert.That(memory.IsMapped(ro, UserProt.Write), Is.False);
        Assert.That(memory.IsMapped(ro, UserProt.None), Is.True);
    }
}
