using Mixillo.Tests.Stores;

namespace Mixillo.Tests.Api;

/// <summary>Published files for API tests: a completed job for the content (media is served only then) and the files.</summary>
internal static class PublishedMedia
{
    /// <summary>
    /// Puts 1,000 zero bytes at each key (under videos/{contentId}/), after completing a job for the content once;
    /// returns the factory's client (made first: the API's start migrates the store).
    /// </summary>
    public static async Task<HttpClient> PublishAsync(this ApiFactory factory, string contentId, params string[] keys)
    {
        var client = await factory.ClientAsync();
        if (await factory.Store.GetByContentAsync(contentId, CancellationToken.None) is null)
        {
            await JobFactory.FinishedAsync(factory.Store, JobFactory.New() with { ContentId = contentId });
        }

        var local = Path.GetTempFileName();
        await File.WriteAllBytesAsync(local, new byte[1000]);
        foreach (var key in keys)
        {
            await factory.Storage.PutFileAsync(key, local, CancellationToken.None);
        }

        File.Delete(local);
        return client;
    }
}
