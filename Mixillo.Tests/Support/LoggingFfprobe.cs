namespace Mixillo.Tests.Support;

/// <summary>An ffprobe that appends each run's arguments to <c>{path}.log</c>, then runs the real one: who probed what.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class LoggingFfprobe
{
    public static string Create(TempFolder folder, string name = "ffprobe")
    {
        var path = folder.File(name);
        File.WriteAllText(path, $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{path}.log'\nexec ffprobe \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The arguments of every run so far.</summary>
    public static string[] Runs(string path) => File.Exists(path + ".log") ? File.ReadAllLines(path + ".log") : [];
}
