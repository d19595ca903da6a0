using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Mixillo.Media.Packaging;

/// <summary>
/// Writes a static (VOD) MPD over the fMP4 segments the HLS packaging already wrote, so HLS and DASH share
/// one set of segments. Each representation points at its folder with a relative BaseURL and lists its
/// segments with an exact SegmentTimeline taken from the HLS playlist.
/// </summary>
public static class DashManifest
{
    public const int Timescale = 1000;
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";

    /// <param name="baseFolder">Where the segment folders are, relative to the manifest, e.g. <c>../hls/</c>.</param>
    public static string Write(IReadOnlyList<StreamVariant> video, StreamVariant? audio, string baseFolder, string segmentPattern)
    {
        var duration = video.Max(v => v.Playlist.DurationSeconds);
        var period = new XElement(Mpd + "Period", new XAttribute("id", "0"), new XAttribute("start", "PT0S"));

        var videoSet = new XElement(Mpd + "AdaptationSet",
            new XAttribute("id", "0"),
            new XAttribute("contentType", "video"),
            new XAttribute("mimeType", "video/mp4"),
            new XAttribute("segmentAlignment", "true"),
            new XAttribute("startWithSAP", "1"));
        foreach (var variant in video.OrderByDescending(v => v.PeakBitrate))
        {
            videoSet.Add(Representation(variant, baseFolder, segmentPattern,
                new XAttribute("width", variant.Width),
                new XAttribute("height", variant.Height),
                new XAttribute("frameRate", FrameRate(variant.FramesPerSecond)),
                new XAttribute("sar", "1:1")));
        }

        period.Add(videoSet);

        if (audio is not null)
        {
            period.Add(new XElement(Mpd + "AdaptationSet",
                new XAttribute("id", "1"),
                new XAttribute("contentType", "audio"),
                new XAttribute("mimeType", "audio/mp4"),
                new XAttribute("lang", "und"),
                new XAttribute("segmentAlignment", "true"),
                new XAttribute("startWithSAP", "1"),
                Representation(audio, baseFolder, segmentPattern,
                    new XAttribute("audioSamplingRate", Encoding.FfmpegArguments.AudioSampleRate),
                    new XElement(Mpd + "AudioChannelConfiguration",
                        new XAttribute("schemeIdUri", "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"),
                        new XAttribute("value", "2")))));
        }

        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(Mpd + "MPD",
                new XAttribute("profiles", "urn:mpeg:dash:profile:isoff-live:2011"),
                new XAttribute("type", "static"),
                new XAttribute("mediaPresentationDuration", IsoDuration(duration)),
                new XAttribute("minBufferTime", "PT2S"),
                period));

        using var writer = new Utf8StringWriter();
        using (var xml = XmlWriter.Create(writer, new XmlWriterSettings { Indent = true }))
        {
            document.Save(xml);
        }

        return writer.ToString() + "\n";
    }

    private static XElement Representation(StreamVariant variant, string baseFolder, string segmentPattern, params object[] content)
    {
        // ffmpeg's %03d becomes DASH's $Number%03d$.
        var media = segmentPattern.Replace("%03d", "$Number%03d$", StringComparison.Ordinal);
        return new XElement(Mpd + "Representation",
            new XAttribute("id", variant.Name),
            new XAttribute("bandwidth", variant.PeakBitrate),
            new XAttribute("codecs", variant.Codecs),
            content,
            new XElement(Mpd + "BaseURL", $"{baseFolder}{variant.Name}/"),
            new XElement(Mpd + "SegmentTemplate",
                new XAttribute("timescale", Timescale),
                new XAttribute("initialization", variant.Playlist.InitSegment ?? ""),
                new XAttribute("media", media),
                new XAttribute("startNumber", 0),
                Timeline(variant.Playlist.Segments)));
    }

    /// <summary>Runs of equal durations collapse into one S element with a repeat count.</summary>
    internal static XElement Timeline(IReadOnlyList<Segment> segments)
    {
        var timeline = new XElement(Mpd + "SegmentTimeline");
        long start = 0;
        XElement? last = null;
        long lastDuration = -1;
        var repeat = 0;
        foreach (var segment in segments)
        {
            var d = (long)Math.Round(segment.DurationSeconds * Timescale);
            if (d == lastDuration && last is not null)
            {
                repeat++;
                last.SetAttributeValue("r", repeat);
            }
            else
            {
                last = new XElement(Mpd + "S", new XAttribute("t", start), new XAttribute("d", d));
                timeline.Add(last);
                lastDuration = d;
                repeat = 0;
            }

            start += d;
        }

        return timeline;
    }

    private static string FrameRate(double fps) =>
        Math.Abs(fps - Math.Round(fps)) < 0.001
            ? ((int)Math.Round(fps)).ToString(CultureInfo.InvariantCulture)
            : $"{(int)Math.Round(fps * 1001)}/1001";

    private static string IsoDuration(double seconds) => string.Create(CultureInfo.InvariantCulture, $"PT{seconds:0.000}S");

    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter()
            : base(CultureInfo.InvariantCulture)
        {
        }

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
    }
}
