namespace Autograder.Report;

// View models of the review server's edit controls (`autograder review`, grader/Autograder.Cli/Review/). The
// server renders the same templates as the static reports and hangs these on the pages' views; the templates
// show their blocks only when present, so the static reports never contain them.

/// <summary>The overview's review bar.</summary>
[TemplateModel]
internal sealed record OverviewReviewView(string Reviewer, int Reviewed, int Submissions, int VerdictChanged, string OverridesHref);

/// <summary>A submission page's review controls: the form's anti-forgery field, the total and the reviewed
/// mark, and what went wrong with the last save (a conflict, a bad value).</summary>
[TemplateModel]
internal sealed record SubmissionReviewView(
    string Reviewer,
    string Action,
    string TokenField,
    string Token,
    string Error,
    string Submission,
    string Total,
    string TotalComment,
    bool Reviewed,
    long Version,
    string LastChange,
    string VerdictChanged);

/// <summary>One check's review form: the points shown (reviewed or automatic), the comment, the row version
/// the save is based on, and a note when a regrade changed the automatic verdict under the review.</summary>
[TemplateModel]
internal sealed record CheckReviewView(string Points, string Comment, long Version, string LastChange, string VerdictChanged);

/// <summary>The reviewer's name, asked once and kept in a cookie.</summary>
[TemplateModel]
internal sealed record ReviewNameView(string Css, string Rubric, string Action, string TokenField, string Token, string ReturnTo);
