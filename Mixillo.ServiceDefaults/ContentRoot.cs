using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Where a host reads appsettings.json and appsettings.{Environment}.json. ASP.NET Core's default is the working
/// folder, so <c>dotnet /opt/mixillo/Mixillo.Api.dll</c> started from elsewhere (a service manager starts in /) read
/// no settings file and ran on defaults without saying so. The program's own folder is where publish puts them.
/// </summary>
public static class ContentRoot
{
    /// <summary>
    /// Options for <c>WebApplication.CreateBuilder</c>: the content root is the program's folder unless one is given
    /// (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>, <c>DOTNET_CONTENTROOT</c>, as ASP.NET Core reads them).
    /// Relative paths in settings (the SQLite file, the storage folder) stay relative to the working folder.
    /// </summary>
    public static WebApplicationOptions ProgramFolder(string[] args)
    {
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        return new WebApplicationOptions { Args = args, ContentRootPath = string.IsNullOrEmpty(given) ? AppContext.BaseDirectory : given };
    }
}
