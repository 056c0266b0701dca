using Microsoft.Playwright;

namespace Autograder.Tests.Report;

/// <summary>Debian's chromium, as the browser tests launch it (Playwright's own browser download is not
/// available here).</summary>
internal static class SystemChromium
{
    public const string Path = "/usr/bin/chromium";

    public static bool Installed => File.Exists(Path);

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            // A busy CI machine (other tests grade in parallel) can take a while to start a browser.
            Timeout = 120_000,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
}
