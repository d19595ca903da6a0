namespace Mixillo.Tests.Support;

/// <summary>
/// An ffmpeg whose encodes read their source at its own pace (<c>-re</c>): a 14 s clip takes 14 s, so a test meets a job
/// part-way through its encode however fast the machine is. Every other run is the real ffmpeg's, untouched.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class RealtimeFfmpeg
{
    public static string Create(TempFolder folder)
    {
        var path = folder.File("ffmpeg-realtime");
        File.WriteAllText(path, "#!/bin/sh\ncase \" $* \" in *\" -filter_complex \"*) exec ffmpeg -re \"$@\";; esac\nexec ffmpeg \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
