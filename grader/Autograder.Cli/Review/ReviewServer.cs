using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Autograder.Cli.Review;

/// <summary>
/// <c>autograder review</c>'s web server: Kestrel with minimal APIs on one address. Every request needs the
/// access token (printed in the URL, as Jupyter does; then kept in an HttpOnly cookie): the server may listen
/// on a shared machine, and even on 127.0.0.1 other users of the machine reach it. Every form carries an
/// anti-forgery token. Pages come from <see cref="ReviewPages"/>; saves go to <see cref="ReviewStore"/>.
/// </summary>
internal sealed class ReviewServer : IAsyncDisposable
{
    public const string TokenCookie = "autograder-review-token";
    public const string ReviewerCookie = "autograder-reviewer";
    private const int MaxComment = 2000;
    private const int MaxName = 80;

    private readonly WebApplication _app;

    private ReviewServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The address to open, token included.</summary>
    public Uri Url { get; }

    public static async Task<ReviewServer> StartAsync(ReviewPages pages, ReviewStore store, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint);
            kestrel.Limits.MaxRequestBodySize = 1 << 20;
        });
        // Keys in memory: nothing is written to the home folder; a restart only makes open forms reload.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "autograder-review-antiforgery";
            o.FormFieldName = "__antiforgery";
        });
        var app = builder.Build();
        var handlers = new Handlers(pages, store, token, app.Services.GetRequiredService<IAntiforgery>());
        app.Use(handlers.Gate);
        app.MapGet("/", handlers.Overview);
        app.MapGet("/index.html", handlers.Overview);
        app.MapGet("/submissions/{file}", handlers.Submission);
        app.MapGet("/overrides.csv", handlers.OverridesCsv);
        // Browsers ask for it; nothing to show, and a 404 would be an error in the console.
        app.MapGet("/favicon.ico", () => Results.NoContent());
        app.MapPost("/reviewer", (Delegate)handlers.SetReviewer);
        app.MapPost("/save", (Delegate)handlers.Save);
        await app.StartAsync(cancellationToken);

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : bound.Host;
        var url = new UriBuilder(bound.Scheme, host, bound.Port, "/") { Query = "token=" + token }.Uri;
        return new ReviewServer(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Handlers(ReviewPages pages, ReviewStore store, string token, IAntiforgery antiforgery)
    {
        private readonly byte[] _token = Encoding.ASCII.GetBytes(token);

        /// <summary>The access token: from the URL (then a cookie, and the URL without it) or the cookie.</summary>
        public async Task Gate(HttpContext context, RequestDelegate next)
        {
            var headers = context.Response.Headers;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cache-Control"] = "no-store";
            headers["X-Frame-Options"] = "DENY";
            if (context.Request.Query.TryGetValue("token", out var query) && Matches(query.ToString()))
            {
                context.Response.Cookies.Append(TokenCookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
                context.Response.Redirect(LocalPath(context.Request.Path.Value));
                return;
            }

            if (!Matches(context.Request.Cookies[TokenCookie]))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("403: open the URL that `autograder review` printed (it carries the access token).");
                return;
            }

            await next(context);
        }

        public IResult Overview(HttpContext context) =>
            Reviewer(context) is { } reviewer ? Html(pages.Overview(reviewer)) : AskName(context);

        public IResult Submission(HttpContext context, string file)
        {
            if (pages.GradedByFile(file) is not { } graded)
            {
                return Results.NotFound();
            }

            if (Reviewer(context) is not { } reviewer)
            {
                return AskName(context);
            }

            var tokens = antiforgery.GetAndStoreTokens(context);
            return Html(pages.Submission(graded, reviewer, tokens.FormFieldName, tokens.RequestToken ?? "", ""));
        }

        public IResult OverridesCsv() =>
            Results.Text(pages.OverridesCsv(), "text/csv; charset=utf-8", Encoding.UTF8);

        public async Task<IResult> SetReviewer(HttpContext context)
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Expired();
            }

            var form = await context.Request.ReadFormAsync();
            var name = form["name"].ToString().Trim();
            if (name.Length is 0 or > MaxName || name.Any(char.IsControl))
            {
                return Results.BadRequest($"a name of 1 to {MaxName} characters, please");
            }

            context.Response.Cookies.Append(ReviewerCookie, name, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                MaxAge = TimeSpan.FromDays(365),
            });
            return Results.Redirect(LocalPath(form["return"].ToString()));
        }

        public async Task<IResult> Save(HttpContext context)
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Expired();
            }

            if (Reviewer(context) is not { } reviewer)
            {
                return Results.BadRequest("who is reviewing? open the overview first");
            }

            var form = await context.Request.ReadFormAsync();
            var id = form["submission"].ToString();
            var target = form["target"].ToString();
            if (pages.Graded(id) is not { } graded || ReviewOverrides.Automatic(graded, target) is not { } auto)
            {
                return Results.NotFound();
            }

            if (!long.TryParse(form["version"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                return Results.BadRequest("no version");
            }

            var pointsText = form["points"].ToString().Trim();
            var comment = form["comment"].ToString().Trim().ReplaceLineEndings("\n");
            string? problem = null;
            decimal? points = null;
            if (pointsText.Length > 0)
            {
                if (pointsText.Length > 20 || !decimal.TryParse(pointsText, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value < 0)
                {
                    problem = $"points must be a number of 0 or more, like 7.5 (not \"{pointsText}\")";
                }
                else
                {
                    points = value;
                }
            }

            if (comment.Length > MaxComment)
            {
                problem = $"a comment has at most {MaxComment} characters";
            }

            var edit = new ReviewEdit(id, target, version, points, comment, target == ReviewStore.Total && form["reviewed"] == "on", auto.Points, auto.Status);
            if (problem is null)
            {
                try
                {
                    pages.CheckApplies(edit, reviewer);
                }
                catch (InvalidDataException e)
                {
                    // The message names the override's row: keep what the reviewer needs, after the row's name.
                    problem = e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..];
                }
            }

            if (problem is null && store.Save(edit, reviewer, DateTimeOffset.UtcNow) is { } conflict)
            {
                return Page(context, graded, reviewer, conflict.Message, StatusCodes.Status409Conflict);
            }

            return problem is not null
                ? Page(context, graded, reviewer, "not saved: " + problem, StatusCodes.Status400BadRequest)
                : Results.Redirect(ReviewPages.PageOf(id) + (target == ReviewStore.Total ? "#summary" : "#check-" + Uri.EscapeDataString(target)));
        }

        private IResult Page(HttpContext context, Model.SubmissionResult graded, string reviewer, string error, int status)
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Html(pages.Submission(graded, reviewer, tokens.FormFieldName, tokens.RequestToken ?? "", error), status);
        }

        private IResult AskName(HttpContext context)
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Html(pages.AskName(tokens.FormFieldName, tokens.RequestToken ?? "", context.Request.Path.Value ?? "/"));
        }

        /// <summary>Only a path of this server (never "//host/..."): no open redirect.</summary>
        private static string LocalPath(string? path) =>
            path is { Length: > 0 } && path[0] == '/' && !path.StartsWith("//", StringComparison.Ordinal) && !path.Contains('\\') ? path : "/";

        private static IResult Expired() =>
            Results.BadRequest("the form has expired (the server restarted?): reload the page and save again");

        private static string? Reviewer(HttpContext context) =>
            context.Request.Cookies[ReviewerCookie] is { Length: > 0 and <= MaxName } name ? name : null;

        private static IResult Html(string html, int status = StatusCodes.Status200OK) =>
            Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);

        private bool Matches(string? candidate) =>
            candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), _token);
    }
}
