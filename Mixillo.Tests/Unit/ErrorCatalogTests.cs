using System.Text;
using System.Text.RegularExpressions;
using Mixillo.Errors;
using Mixillo.Jobs.Pipeline;

namespace Mixillo.Tests.Unit;

/// <summary>The one catalogue of error codes, and the README's table, which is made from it.</summary>
public partial class ErrorCatalogTests
{
    [Fact]
    public void Every_code_is_written_once_in_snake_case_with_a_meaning()
    {
        Assert.Equal(ErrorCatalog.All.Count, ErrorCatalog.All.Select(e => e.Code).Distinct().Count());
        Assert.All(ErrorCatalog.All, e =>
        {
            Assert.Matches(SnakeCase(), e.Code);
            Assert.False(string.IsNullOrWhiteSpace(e.When), e.Code);
            Assert.Same(e, ErrorCatalog.Find(e.Code));
        });
        Assert.Null(ErrorCatalog.Find("no_such_code"));
    }

    [Fact]
    public void Input_errors_are_422_and_never_retried_and_only_they_start_with_input()
    {
        var input = ErrorCatalog.All.Where(e => e.IsInputError).ToList();
        Assert.Equal(10, input.Count);
        Assert.All(input, e => Assert.Equal((ErrorArea.Media, 422, false), (e.Area, e.Status, e.Retryable)));
        Assert.DoesNotContain(ErrorCatalog.All, e => !e.IsInputError && e.Status == 422);
    }

    [Fact]
    public void A_job_records_only_codes_with_a_retry_rule()
    {
        var error = JobFailures.Of(ErrorCatalog.WorkerLost, "job", "gone", DateTimeOffset.UnixEpoch);
        Assert.Equal(("worker_lost", true), (error.Code, error.Retryable));
        Assert.Throws<ArgumentException>(() => JobFailures.Of(ErrorCatalog.BadRequest, "job", "no", DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData(400, "bad_request")]
    [InlineData(404, "not_found")]
    [InlineData(503, "internal_error")]
    [InlineData(431, "http_431")]
    public void A_framework_status_gets_its_generic_code(int status, string code) => Assert.Equal(code, ErrorCatalog.ForStatus(status));

    [Fact]
    public void The_readme_table_is_the_catalogue()
    {
        var table = Table();
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.True(readme.Contains(table, StringComparison.Ordinal), $"README.md's error table differs from ErrorCatalog; put this table in its place:\n\n{table}");
    }

    /// <summary>The README's table: one row per code, in the catalogue's order (by area).</summary>
    private static string Table()
    {
        var table = new StringBuilder("| area | code | HTTP | a job with it | when |\n|---|---|---|---|---|\n");
        foreach (var e in ErrorCatalog.All)
        {
            var job = e.Retryable switch { true => "is retried", false => "fails at once", null => "" };
            table.Append($"| {e.Area.ToString().ToLowerInvariant()} | `{e.Code}` | {e.Status} | {job} | {e.When} |\n");
        }

        return table.ToString();
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Mixillo.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new DirectoryNotFoundException("No Mixillo.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("^[a-z]+(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
