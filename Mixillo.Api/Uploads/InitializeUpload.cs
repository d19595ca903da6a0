namespace Mixillo.Api.Uploads;

/// <summary>The body of <c>POST /api/content/upload/initialize</c>.</summary>
public sealed record InitializeUpload(string FileName, long FileSize, string? MimeType, string? UploadType, string? Caption = null);
