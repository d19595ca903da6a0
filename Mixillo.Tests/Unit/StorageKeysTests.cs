using Mixillo.Jobs.Storage;

namespace Mixillo.Tests.Unit;

public class StorageKeysTests
{
    [Theory]
    [InlineData("videos/c1/720p.mp4")]
    [InlineData("videos/c1/hls/720p/seg_000.m4s")]
    [InlineData("uploads/user-1/up_123.mp4")]
    [InlineData("a")]
    public void Ordinary_keys_are_accepted(string key) => Assert.Equal(key, StorageKeys.Validate(key));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a/")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("a:b")]
    [InlineData("caf\u00e9")]
    public void Unsafe_keys_are_refused(string? key)
    {
        Assert.False(StorageKeys.IsValid(key));
        Assert.Throws<InvalidStorageKeyException>(() => StorageKeys.Validate(key));
    }

    [Fact]
    public void Prefixes_may_end_with_a_slash_or_be_empty_and_keys_are_bounded()
    {
        Assert.Equal("videos/c1/", StorageKeys.ValidatePrefix("videos/c1/"));
        Assert.Equal("", StorageKeys.ValidatePrefix(""));
        Assert.Throws<InvalidStorageKeyException>(() => StorageKeys.ValidatePrefix("../"));
        Assert.False(StorageKeys.IsValid(new string('a', StorageKeys.MaxLength + 1)));
        Assert.Equal("videos/c1/720p.mp4", StorageKeys.Join("videos", "c1", "720p.mp4"));
        Assert.Throws<InvalidStorageKeyException>(() => StorageKeys.Join("videos", "..", "x"));
    }

    [Theory]
    [InlineData("hls/master.m3u8", "application/vnd.apple.mpegurl")]
    [InlineData("dash/manifest.mpd", "application/dash+xml")]
    [InlineData("hls/720p/seg_000.m4s", "video/iso.segment")]
    [InlineData("720p.mp4", "video/mp4")]
    [InlineData("thumbnails/thumb_1.jpg", "image/jpeg")]
    [InlineData("audio.mp3", "audio/mpeg")]
    [InlineData("notes.txt", "application/octet-stream")]
    public void Content_types_follow_the_extension(string key, string type) => Assert.Equal(type, ContentTypes.For(key));
}
