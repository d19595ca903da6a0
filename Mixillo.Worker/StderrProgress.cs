using System.Globalization;
using Mixillo.Media;

namespace Mixillo.Worker;

/// <summary>Human progress on stderr: one line per step and per 10 % of a step.</summary>
internal sealed class StderrProgress(TextWriter stderr) : IProgress<MediaProgress>
{
    private string? _step;
    private int _tenth = -1;

    public void Report(MediaProgress value)
    {
        var tenth = (int)(value.Percent / 10);
        lock (stderr)
        {
            if (value.Step == _step && tenth <= _tenth)
            {
                return;
            }

            _step = value.Step;
            _tenth = tenth;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value.Step,-8} {tenth * 10,3}%"));
        }
    }
}
