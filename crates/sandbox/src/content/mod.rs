//! What a document's file holds: real JPEG, PNG and WebP pictures of an identity card and real
//! PDF syntheses, all generated here (no file is kept in the repository), and the damaged files a
//! provider or a file host can hand out (a "PDF" that is an error page, a JPEG that does not
//! decode, an HEIC whose picture a browser engine may not decode).
//!
//! A file is deterministic: the same document, content and size give the same bytes, so the
//! sandbox can tell a test a file's SHA-256 without keeping the file. A file smaller than the size
//! asked for is padded with bytes its format ignores (after a picture's end; inside an unused PDF
//! object), so that downloads of any size can be tested with valid files.
//!
//! Every file carries a marker (`kyc-sandbox-file-…`) in its metadata: a test that looks for
//! copies of a document on disk searches for it.

mod pdf;
mod picture;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::rng::SplitMix;

pub use picture::{ImageFormat, MARK};

/// What a document's file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    Jpeg,
    Png,
    Webp,
    /// An HEIF container (`ftyp heic`) with no picture a decoder can show: what a phone's HEIC
    /// looks like to an engine that does not decode HEVC.
    Heic,
    Pdf {
        pages: u16,
    },
    /// Named `.pdf` and served as `application/pdf`, but an HTML error page.
    NotPdf,
    /// Named `.jpg` and starting like a JPEG, but what follows is not one.
    BrokenJpeg,
}

impl Content {
    /// The extension the file's name gets: what the file claims to be.
    pub fn extension(self) -> &'static str {
        match self {
            Content::Jpeg | Content::BrokenJpeg => "jpg",
            Content::Png => "png",
            Content::Webp => "webp",
            Content::Heic => "heic",
            Content::Pdf { .. } | Content::NotPdf => "pdf",
        }
    }

    /// The `Content-Type` the file host sends: also what the file claims.
    pub fn media_type(self) -> &'static str {
        match self {
            Content::Jpeg | Content::BrokenJpeg => "image/jpeg",
            Content::Png => "image/png",
            Content::Webp => "image/webp",
            Content::Heic => "image/heic",
            Content::Pdf { .. } | Content::NotPdf => "application/pdf",
        }
    }

    /// A picture's width and height, for a picture that has them.
    pub fn dimensions(self) -> Option<(u32, u32)> {
        self.image_format().map(picture::size_of)
    }

    /// A PDF's page count.
    pub fn pages(self) -> Option<u16> {
        match self {
            Content::Pdf { pages } => Some(pages.max(1)),
            _ => None,
        }
    }

    fn image_format(self) -> Option<ImageFormat> {
        match self {
            Content::Jpeg => Some(ImageFormat::Jpeg),
            Content::Png => Some(ImageFormat::Png),
            Content::Webp => Some(ImageFormat::Webp),
            _ => None,
        }
    }

    /// The file of `document` (of `user`, titled `title`), at least `size` bytes long.
    pub fn layout(self, document: u64, user: u64, title: &str, size: u64) -> Layout {
        let marker = marker(document);
        let natural = match self {
            Content::Pdf { pages } => {
                let synthesis = pdf::Synthesis {
                    document,
                    user,
                    title,
                    pages,
                    marker: &marker,
                };
                return pdf::layout(&synthesis, size);
            }
            Content::Jpeg | Content::Png | Content::Webp => picture::encode(
                document,
                self.image_format().expect("a picture format"),
                &marker,
            ),
            Content::Heic => heic(&marker),
            Content::NotPdf => format!(
                "<!doctype html><html><head><title>502 Bad Gateway</title></head><body>\
                 <h1>502 Bad Gateway</h1><p>The file store did not answer. ({marker})</p></body></html>\n"
            )
            .into_bytes(),
            Content::BrokenJpeg => {
                // A start of image, then a quantisation table whose length runs past anything
                // sensible, then noise: no decoder makes a picture of it.
                let mut file = vec![0xff, 0xd8, 0xff, 0xdb, 0xff, 0xff];
                file.extend_from_slice(marker.as_bytes());
                file.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
                file
            }
        };
        let padding = size.saturating_sub(natural.len() as u64);
        Layout {
            head: natural,
            padding,
            tail: Vec::new(),
        }
    }
}

/// The marker every file of `document` carries.
pub fn marker(document: u64) -> String {
    format!(
        "kyc-sandbox-file-{document}-{:08x}",
        SplitMix::new(document).next_u64() as u32
    )
}

/// An HEIF file's boxes as a phone writes them (`ftyp` with the `heic` brand, then `meta`), with
/// no coded picture in it.
fn heic(marker: &str) -> Vec<u8> {
    let mut file = Vec::new();
    let boxed = |kind: &[u8], body: &[u8]| {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    };
    file.extend(boxed(b"ftyp", b"heic\0\0\0\0mif1heic"));
    file.extend(boxed(
        b"meta",
        &[[0u8; 4].as_slice(), marker.as_bytes()].concat(),
    ));
    file
}

/// A file as bytes laid out in three parts: `head`, then `padding` filler bytes, then `tail`.
/// Served chunk by chunk, so a file of any size never sits whole in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub head: Vec<u8>,
    pub padding: u64,
    pub tail: Vec<u8>,
}

/// How much one chunk of a served file holds.
const CHUNK: usize = 64 * 1024;

impl Layout {
    fn whole(bytes: Vec<u8>) -> Layout {
        Layout {
            head: bytes,
            padding: 0,
            tail: Vec::new(),
        }
    }

    pub fn len(&self) -> u64 {
        self.head.len() as u64 + self.padding + self.tail.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole file (tests only need it whole; the file host streams [`Layout::chunks`]).
    pub fn bytes(&self) -> Vec<u8> {
        self.chunks(0).flat_map(|c| c.to_vec()).collect()
    }

    /// The file in chunks; the filler is a pseudo-random sequence seeded by `seed`.
    pub fn chunks(&self, seed: u64) -> impl Iterator<Item = Bytes> + Send + 'static {
        let head: Vec<Bytes> = self
            .head
            .chunks(CHUNK)
            .map(Bytes::copy_from_slice)
            .collect();
        let tail = (!self.tail.is_empty()).then(|| Bytes::from(self.tail.clone()));
        head.into_iter()
            .chain(Filler {
                words: SplitMix::new(seed),
                left: self.padding,
            })
            .chain(tail)
    }
}

struct Filler {
    words: SplitMix,
    left: u64,
}

impl Iterator for Filler {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.left == 0 {
            return None;
        }
        let len = self.left.min(CHUNK as u64) as usize;
        let mut chunk = Vec::with_capacity(len + 8);
        while chunk.len() < len {
            chunk.extend_from_slice(&self.words.next_u64().to_le_bytes());
        }
        chunk.truncate(len);
        self.left -= len as u64;
        Some(Bytes::from(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_padded_to_the_size_asked_and_the_same_every_time() {
        for content in [
            Content::Jpeg,
            Content::Png,
            Content::Webp,
            Content::Heic,
            Content::Pdf { pages: 3 },
            Content::NotPdf,
            Content::BrokenJpeg,
        ] {
            let layout = content.layout(11, 42, "Passport", 700_000);
            let bytes = layout.bytes();
            assert_eq!(bytes.len(), 700_000, "{content:?}");
            assert_eq!(layout.len(), 700_000);
            assert_eq!(content.layout(11, 42, "Passport", 700_000).bytes(), bytes);
            let marker = marker(11);
            assert!(
                bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{content:?} carries its marker"
            );
        }
        // Larger than asked: the file keeps its natural size.
        let small = Content::Png.layout(11, 42, "Passport", 10);
        assert_eq!(small.padding, 0);
        assert!(small.len() > 10);
    }

    #[test]
    fn what_a_file_claims_and_what_it_is() {
        let not_pdf = Content::NotPdf.layout(1, 2, "x", 0).bytes();
        assert_eq!(Content::NotPdf.extension(), "pdf");
        assert!(!not_pdf.starts_with(b"%PDF-"));
        let heic = Content::Heic.layout(1, 2, "x", 0).bytes();
        assert_eq!(&heic[4..12], b"ftypheic");
        let broken = Content::BrokenJpeg.layout(1, 2, "x", 0).bytes();
        assert!(broken.starts_with(&[0xff, 0xd8, 0xff]));
        assert_eq!(Content::Pdf { pages: 0 }.pages(), Some(1));
        assert_eq!(Content::Png.dimensions(), Some((856, 540)));
        assert_eq!(
            serde_json::to_string(&Content::Pdf { pages: 20 }).unwrap(),
            r#"{"kind":"pdf","pages":20}"#
        );
    }
}
