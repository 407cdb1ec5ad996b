//! What a document's bytes are, decided from the bytes themselves before the window gets any.
//!
//! A file is shown only when its first bytes are those of a picture (JPEG, PNG, WebP, HEIC) or a
//! PDF, when nothing it claims (the name's extension, the file host's `Content-Type`) says it is
//! something else, and, for a picture, when its header reads and its size in pixels is one the
//! window can decode without exhausting its memory. Everything else is refused with a reason that
//! names what was found, never what the file contains.

use serde::Serialize;

use super::refusal::{Claimant, ViewRefusal};

/// The largest picture the window decodes, in pixels: a small file can announce a picture of
/// billions of pixels, whose decoding would take the window's memory. An identity document
/// photographed at 50 megapixels stays well inside.
pub const MAX_PIXELS: u64 = 100_000_000;
/// The longest side of a picture, in pixels (the canvas and image limits of browser engines sit
/// around 32,767).
pub const MAX_SIDE: u32 = 20_000;

/// What a document is, as far as the viewer is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Jpeg,
    Png,
    Webp,
    Heic,
    Pdf,
}

impl DocumentFormat {
    /// How the officer reads the format, e.g. in "a JPEG picture".
    pub fn words(self) -> &'static str {
        match self {
            DocumentFormat::Jpeg => "a JPEG picture",
            DocumentFormat::Png => "a PNG picture",
            DocumentFormat::Webp => "a WebP picture",
            DocumentFormat::Heic => "an HEIC picture",
            DocumentFormat::Pdf => "a PDF",
        }
    }

    /// The format the first bytes say, if they say one the viewer knows.
    pub fn sniff(bytes: &[u8]) -> Option<DocumentFormat> {
        let at = |range: std::ops::Range<usize>| bytes.get(range).unwrap_or_default();
        if bytes.starts_with(b"%PDF-") {
            Some(DocumentFormat::Pdf)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(DocumentFormat::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(DocumentFormat::Png)
        } else if at(0..4) == b"RIFF" && at(8..12) == b"WEBP" {
            Some(DocumentFormat::Webp)
        } else if at(4..8) == b"ftyp" && HEIF_BRANDS.contains(&at(8..12)) {
            Some(DocumentFormat::Heic)
        } else {
            None
        }
    }

    /// The format a file name's extension claims.
    fn from_extension(name: &str) -> Option<DocumentFormat> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "pdf" => Some(DocumentFormat::Pdf),
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(DocumentFormat::Jpeg),
            "png" => Some(DocumentFormat::Png),
            "webp" => Some(DocumentFormat::Webp),
            "heic" | "heif" => Some(DocumentFormat::Heic),
            _ => None,
        }
    }

    /// The format a `Content-Type` claims (`application/octet-stream` claims none).
    fn from_media_type(media_type: &str) -> Option<DocumentFormat> {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "application/pdf" | "application/x-pdf" => Some(DocumentFormat::Pdf),
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(DocumentFormat::Jpeg),
            "image/png" => Some(DocumentFormat::Png),
            "image/webp" => Some(DocumentFormat::Webp),
            "image/heic" | "image/heif" | "image/heic-sequence" | "image/heif-sequence" => {
                Some(DocumentFormat::Heic)
            }
            _ => None,
        }
    }
}

/// The brands of an HEIF file's `ftyp` box that phones write for their pictures.
const HEIF_BRANDS: [&[u8]; 8] = [
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
];

/// What the file claims to be: its name (from Treezor) and the file host's `Content-Type`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Claims<'a> {
    pub file_name: Option<&'a str>,
    pub media_type: Option<&'a str>,
}

/// The format of `bytes`, or why they are not shown.
pub fn inspect(bytes: &[u8], claims: Claims<'_>) -> Result<DocumentFormat, ViewRefusal> {
    let Some(found) = DocumentFormat::sniff(bytes) else {
        let claimed = claimed(claims);
        return Err(ViewRefusal::Unknown {
            claimed: claimed.map(|(format, _)| format),
            by: claimed.map(|(_, by)| by),
        });
    };
    for (format, by) in [
        claims
            .file_name
            .and_then(|n| DocumentFormat::from_extension(n).map(|f| (f, Claimant::Name))),
        claims
            .media_type
            .and_then(|m| DocumentFormat::from_media_type(m).map(|f| (f, Claimant::FileHost))),
    ]
    .into_iter()
    .flatten()
    {
        if format != found {
            return Err(ViewRefusal::Mismatch {
                by,
                claimed: format,
                found,
            });
        }
    }
    if let Some(size) = picture_size(found, bytes)? {
        check_size(found, size)?;
    }
    Ok(found)
}

fn claimed(claims: Claims<'_>) -> Option<(DocumentFormat, Claimant)> {
    claims
        .file_name
        .and_then(|n| DocumentFormat::from_extension(n).map(|f| (f, Claimant::Name)))
        .or_else(|| {
            claims
                .media_type
                .and_then(|m| DocumentFormat::from_media_type(m).map(|f| (f, Claimant::FileHost)))
        })
}

fn check_size(format: DocumentFormat, (width, height): (u32, u32)) -> Result<(), ViewRefusal> {
    if width == 0 || height == 0 {
        return Err(ViewRefusal::Empty {
            format,
            width,
            height,
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ViewRefusal::TooManyPixels {
            format,
            width,
            height,
        });
    }
    Ok(())
}

/// A picture's width and height from its header; `None` for a format whose header is not read
/// here (HEIC, whose decoding the window may not have anyway, and PDF).
fn picture_size(format: DocumentFormat, bytes: &[u8]) -> Result<Option<(u32, u32)>, ViewRefusal> {
    let size = match format {
        DocumentFormat::Pdf | DocumentFormat::Heic => return Ok(None),
        DocumentFormat::Png => png_size(bytes),
        DocumentFormat::Jpeg => jpeg_size(bytes),
        DocumentFormat::Webp => webp_size(bytes),
    };
    size.map(Some).ok_or(ViewRefusal::Damaged { format })
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        bytes.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 3)?;
    Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

/// The first chunk of a PNG is its `IHDR`, with the width and height.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    (bytes.get(12..16)? == b"IHDR").then_some(())?;
    Some((be32(bytes, 16)?, be32(bytes, 20)?))
}

/// Walks a JPEG's segments to its frame header (any SOF marker but DHT, JPG and DAC).
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be preceded by fill bytes (0xFF).
        while *bytes.get(at)? == 0xff && *bytes.get(at + 1)? == 0xff {
            at += 1;
        }
        if *bytes.get(at)? != 0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            0xd0..=0xd7 | 0x01 => at += 2,
            0xd9 | 0xda => return None,
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                return Some((be16(bytes, at + 7)?, be16(bytes, at + 5)?));
            }
            _ => {
                let length = be16(bytes, at + 2)? as usize;
                if length < 2 {
                    return None;
                }
                at += 2 + length;
            }
        }
    }
}

/// A WebP's first chunk: lossy (`VP8 `), lossless (`VP8L`) or extended (`VP8X`).
fn webp_size(bytes: &[u8]) -> Option<(u32, u32)> {
    match bytes.get(12..16)? {
        b"VP8 " => {
            (bytes.get(23..26)? == [0x9d, 0x01, 0x2a]).then_some(())?;
            Some((be16_le(bytes, 26)? & 0x3fff, be16_le(bytes, 28)? & 0x3fff))
        }
        b"VP8L" => {
            (*bytes.get(20)? == 0x2f).then_some(())?;
            let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        b"VP8X" => Some((le24(bytes, 24)? + 1, le24(bytes, 27)? + 1)),
        _ => None,
    }
}

fn be16_le(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        bytes.get(at..at + 2)?.try_into().ok()?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut file = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        file.extend(width.to_be_bytes());
        file.extend(height.to_be_bytes());
        file.extend([8, 2, 0, 0, 0]);
        file
    }

    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut file = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, b'J', b'F'];
        file.extend([0xff, 0xff, 0xc2, 0x00, 0x11, 0x08]);
        file.extend(height.to_be_bytes());
        file.extend(width.to_be_bytes());
        file.extend([3; 10]);
        file
    }

    fn named(name: &str) -> Claims<'_> {
        Claims {
            file_name: Some(name),
            media_type: None,
        }
    }

    #[test]
    fn the_bytes_decide_what_a_file_is() {
        assert_eq!(
            inspect(&jpeg(800, 500), named("a.jpg")),
            Ok(DocumentFormat::Jpeg)
        );
        assert_eq!(
            inspect(&png(800, 500), named("a.PNG")),
            Ok(DocumentFormat::Png)
        );
        assert_eq!(
            inspect(
                b"%PDF-1.7\n...",
                Claims {
                    file_name: Some("s.pdf"),
                    media_type: Some("application/pdf; qs=1")
                }
            ),
            Ok(DocumentFormat::Pdf)
        );
        let lossless = [
            b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".as_slice(),
            &[0x3f, 0xc0, 0x39, 0x00],
        ]
        .concat();
        assert_eq!(
            inspect(&lossless, named("a.webp")),
            Ok(DocumentFormat::Webp)
        );
        assert_eq!(webp_size(&lossless), Some((64, 232)));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(
            inspect(heic, named("IMG_0001.HEIC")),
            Ok(DocumentFormat::Heic)
        );
        // A name that claims nothing, or a generic media type, leaves it to the bytes.
        let generic = Claims {
            file_name: Some("scan"),
            media_type: Some("application/octet-stream"),
        };
        assert_eq!(inspect(&png(10, 10), generic), Ok(DocumentFormat::Png));
    }

    #[test]
    fn a_file_that_is_not_what_it_claims_is_refused_with_what_it_is() {
        let page = b"<!doctype html><html><body>502 Bad Gateway</body></html>";
        let why = inspect(page, named("500002_synthesis.pdf"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            why,
            "its bytes are not those of a JPEG, PNG, WebP or HEIC picture nor of a PDF (its name says a PDF)"
        );
        assert!(!why.contains("Bad Gateway"), "the content is never quoted");
        assert_eq!(
            inspect(&png(10, 10), named("a.pdf"))
                .unwrap_err()
                .to_string(),
            "its name says it is a PDF, but its bytes are a PNG picture"
        );
        let served = Claims {
            file_name: None,
            media_type: Some("image/jpeg"),
        };
        assert_eq!(
            inspect(b"%PDF-1.4", served).unwrap_err().to_string(),
            "the file host says it is a JPEG picture, but its bytes are a PDF"
        );
    }

    #[test]
    fn a_damaged_or_oversized_picture_is_refused_before_the_window_decodes_it() {
        let broken = [[0xff, 0xd8, 0xff, 0xdb, 0xff, 0xff].as_slice(), &[7; 300]].concat();
        assert_eq!(
            inspect(&broken, named("a.jpg")).unwrap_err().to_string(),
            "it starts as a JPEG picture but its header cannot be read: the file is damaged"
        );
        assert!(inspect(b"\x89PNG\r\n\x1a\n\0\0", named("a.png")).is_err());
        assert_eq!(
            inspect(&png(30_000, 30_000), named("bomb.png"))
                .unwrap_err()
                .to_string(),
            "a PNG picture of 30000 × 30000 pixels is larger than this window decodes safely"
        );
        assert!(
            inspect(&jpeg(12_000, 9_000), named("a.jpg")).is_err(),
            "108 megapixels"
        );
        assert!(inspect(&jpeg(10_000, 9_000), named("a.jpg")).is_ok());
        assert!(inspect(&png(0, 10), named("a.png")).is_err());
        assert_eq!(DocumentFormat::sniff(b""), None);
    }
}
