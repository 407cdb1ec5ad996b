//! The pictures a verification provider stores for an identity document: a drawn identity card
//! (photo, text lines, machine-readable zone), encoded as JPEG, PNG or WebP by real encoders.
//!
//! Every picture has a pure red square in its top-left corner ([`MARK`]), so a test looking at
//! the pixels a window shows can tell the picture is there, and each format has its own size, so
//! a test can tell which file it is.

use crate::rng::SplitMix;

/// The red square's side, from the top-left corner, in pixels.
pub const MARK: u32 = 48;

/// Width and height of the card as each format draws it: an ID-1 card (85.6 × 54 mm) at three
/// resolutions.
pub fn size_of(format: ImageFormat) -> (u32, u32) {
    match format {
        ImageFormat::Jpeg => (1011, 638),
        ImageFormat::Png => (856, 540),
        ImageFormat::Webp => (642, 405),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Webp,
}

struct Canvas {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32, background: [u8; 3]) -> Canvas {
        Canvas {
            width,
            height,
            rgb: background.repeat((width * height) as usize),
        }
    }

    fn put(&mut self, x: u32, y: u32, colour: [u8; 3]) {
        if x < self.width && y < self.height {
            let at = ((y * self.width + x) * 3) as usize;
            self.rgb[at..at + 3].copy_from_slice(&colour);
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, colour: [u8; 3]) {
        for row in y..(y + h).min(self.height) {
            for column in x..(x + w).min(self.width) {
                self.put(column, row, colour);
            }
        }
    }

    /// An ellipse centred on `(cx, cy)` with radii `rx`, `ry`.
    fn ellipse(&mut self, cx: u32, cy: u32, rx: u32, ry: u32, colour: [u8; 3]) {
        let (rx2, ry2) = (f64::from(rx).powi(2), f64::from(ry).powi(2));
        for row in cy.saturating_sub(ry)..=(cy + ry) {
            for column in cx.saturating_sub(rx)..=(cx + rx) {
                let dx = f64::from(column) - f64::from(cx);
                let dy = f64::from(row) - f64::from(cy);
                if dx * dx / rx2 + dy * dy / ry2 <= 1.0 {
                    self.put(column, row, colour);
                }
            }
        }
    }
}

/// The card of `document`, drawn at the format's size; its tint follows the document id.
fn draw(document: u64, (width, height): (u32, u32)) -> Canvas {
    let mut words = SplitMix::new(document);
    let tint = (words.below(60) + 180) as u8;
    let mut card = Canvas::new(width, height, [tint, 232, 240]);
    let unit = |fraction: f64| (f64::from(width) * fraction) as u32;
    // Header band, photo, text lines, machine-readable zone.
    card.rect(0, 0, width, unit(0.12), [36, 80, 122]);
    card.rect(
        unit(0.05),
        unit(0.17),
        unit(0.27),
        unit(0.34),
        [205, 214, 224],
    );
    card.ellipse(
        unit(0.185),
        unit(0.29),
        unit(0.065),
        unit(0.08),
        [120, 96, 80],
    );
    card.ellipse(
        unit(0.185),
        unit(0.47),
        unit(0.11),
        unit(0.07),
        [60, 70, 90],
    );
    card.rect(
        unit(0.05),
        unit(0.17) + unit(0.34),
        unit(0.27),
        height,
        [tint, 232, 240],
    );
    for line in 0..5 {
        let length = unit(0.25) + words.below(u64::from(unit(0.25))) as u32;
        card.rect(
            unit(0.38),
            unit(0.19) + line * unit(0.06),
            length,
            unit(0.022),
            [70, 78, 92],
        );
    }
    let zone = height - unit(0.13);
    card.rect(0, zone, width, height - zone, [250, 250, 246]);
    for band in 0..2 {
        let mut x = unit(0.04);
        while x < width - unit(0.04) {
            let w = unit(0.012) + words.below(u64::from(unit(0.012))) as u32;
            card.rect(
                x,
                zone + unit(0.02) + band * unit(0.05),
                w,
                unit(0.03),
                [30, 30, 30],
            );
            x += w + unit(0.008);
        }
    }
    card.rect(0, 0, MARK, MARK, [255, 0, 0]);
    card
}

/// The card of `document` encoded as `format`, with `marker` in its metadata.
pub fn encode(document: u64, format: ImageFormat, marker: &str) -> Vec<u8> {
    let (width, height) = size_of(format);
    let card = draw(document, (width, height));
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => {
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
            encoder
                .add_app_segment(15, marker.as_bytes().to_vec())
                .expect("a marker fits an APP15 segment");
            encoder
                .encode(
                    &card.rgb,
                    width as u16,
                    height as u16,
                    jpeg_encoder::ColorType::Rgb,
                )
                .expect("a card encodes as JPEG");
        }
        ImageFormat::Png => {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder
                .add_text_chunk("Comment".into(), marker.into())
                .expect("a marker fits a tEXt chunk");
            let mut writer = encoder.write_header().expect("a PNG header writes");
            writer
                .write_image_data(&card.rgb)
                .expect("a card encodes as PNG");
            writer.finish().expect("a PNG ends");
        }
        ImageFormat::Webp => {
            let mut encoder = image_webp::WebPEncoder::new(&mut out);
            encoder.set_xmp_metadata(
                format!("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">{marker}</x:xmpmeta>").into_bytes(),
            );
            encoder
                .encode(&card.rgb, width, height, image_webp::ColorType::Rgb8)
                .expect("a card encodes as WebP");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_has_its_signature_its_size_and_the_marker() {
        let jpeg = encode(7, ImageFormat::Jpeg, "mark-7");
        assert!(jpeg.starts_with(&[0xff, 0xd8, 0xff]) && jpeg.ends_with(&[0xff, 0xd9]));
        let png = encode(7, ImageFormat::Png, "mark-7");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(
            &png[16..24],
            [856u32.to_be_bytes(), 540u32.to_be_bytes()].concat()
        );
        let webp = encode(7, ImageFormat::Webp, "mark-7");
        assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP");
        for file in [&jpeg, &png, &webp] {
            assert!(file.windows(6).any(|w| w == b"mark-7"));
        }
        assert_eq!(
            encode(7, ImageFormat::Jpeg, "mark-7"),
            jpeg,
            "deterministic"
        );
        assert_ne!(
            encode(8, ImageFormat::Png, "mark-7"),
            png,
            "tinted by the document"
        );
    }
}
