//! The synthesis document as a real PDF: a catalogue, its pages (A4, text in Helvetica and drawn
//! boxes), an information dictionary holding the marker, a cross-reference table and a trailer,
//! written by hand so that every offset is known.
//!
//! A file asked to be larger than the document is padded inside the PDF, with a stream object no
//! page refers to: a reader never reads it, and the file stays valid to the last byte.

use super::Layout;

/// What the pages say.
pub struct Synthesis<'a> {
    pub document: u64,
    pub user: u64,
    pub title: &'a str,
    pub pages: u16,
    pub marker: &'a str,
}

/// Text for a PDF string in WinAnsi (Latin-1 for the letters names use): `(`, `)` and `\`
/// escaped, other characters written as octal escapes or `?` beyond Latin-1.
fn pdf_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\{:03o}", c as u32)),
            _ => out.push('?'),
        }
    }
    out
}

fn page_content(synthesis: &Synthesis<'_>, page: u16) -> String {
    let mut ops = vec![
        // Header band and a frame, in colour, so a rendered page is seen at a glance.
        "0.14 0.31 0.48 rg 0 772 595 70 re f".to_owned(),
        "0.85 0.90 0.95 rg 56 380 483 340 re f".to_owned(),
        "0.12 0.62 0.42 rg 56 330 160 28 re f".to_owned(),
        format!(
            "BT /F1 22 Tf 1 1 1 rg 56 798 Td ({}) Tj ET",
            pdf_text(synthesis.title)
        ),
        format!(
            "BT /F1 12 Tf 0.1 0.1 0.1 rg 56 740 Td (Document {} - user {}) Tj ET",
            synthesis.document, synthesis.user
        ),
        format!(
            "BT /F1 40 Tf 0.14 0.31 0.48 rg 200 530 Td (Page {page} of {}) Tj ET",
            synthesis.pages
        ),
        "BT /F1 12 Tf 1 1 1 rg 66 339 Td (Score 1: validated) Tj ET".to_owned(),
    ];
    if page == 1 {
        ops.push(
            "BT /F1 11 Tf 0.3 0.3 0.3 rg 56 300 Td (Simulated by the Treezor sandbox: not a real verification.) Tj ET"
                .to_owned(),
        );
    }
    ops.join("\n")
}

/// The PDF of `synthesis`, padded to `at_least` bytes when it is shorter.
pub fn layout(synthesis: &Synthesis<'_>, at_least: u64) -> Layout {
    let pages = synthesis.pages.max(1);
    // Objects 1 catalogue, 2 page tree, 3 font, 4 information, then a page and its content for
    // each page; the padding, if any, comes last.
    let first_page = 5;
    let kids: Vec<String> = (0..pages)
        .map(|i| format!("{} 0 R", first_page + 2 * u32::from(i)))
        .collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
        format!(
            "<< /Title ({}) /Producer (Treezor sandbox) /Subject ({}) >>",
            pdf_text(synthesis.title),
            pdf_text(synthesis.marker)
        ),
    ];
    for page in 1..=pages {
        let content_object = first_page + 2 * u32::from(page - 1) + 1;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_object} 0 R >>"
        ));
        let content = page_content(synthesis, page);
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    let mut head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(head.len());
        head.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let unpadded = head.len() as u64 + trailer(&offsets, head.len()).len() as u64;
    if unpadded >= at_least {
        let tail = trailer(&offsets, head.len());
        return Layout::whole([head, tail].concat());
    }
    // The padding object, last before the table. Its length is written with a fixed number of
    // digits, so only the table's own offset (`startxref`) depends on the padding's size: try
    // each count of that offset's digits and keep the one that agrees with itself.
    let padding_object = offsets.len() + 1;
    offsets.push(head.len());
    let opening =
        |padding: u64| format!("{padding_object} 0 obj\n<< /Length {padding:012} >>\nstream\n");
    let close = b"\nendstream\nendobj\n";
    let fixed = (head.len() + opening(0).len() + close.len()) as u64;
    let table = trailer(&offsets, 0).len() as u64 - 1;
    let (padding, xref_at) = (1..=20u64)
        .find_map(|digits| {
            let padding = at_least.checked_sub(fixed + table + digits)?;
            let xref_at = fixed + padding;
            (xref_at.to_string().len() as u64 == digits).then_some((padding, xref_at))
        })
        .expect("some count of digits fits a size larger than the unpadded file");
    head.extend_from_slice(opening(padding).as_bytes());
    let tail = [close.as_slice(), &trailer(&offsets, xref_at as usize)].concat();
    Layout {
        head,
        padding,
        tail,
    }
}

/// The cross-reference table, trailer and end, for objects at `offsets` and a table at `at`.
fn trailer(offsets: &[usize], at: usize) -> Vec<u8> {
    let mut out = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{at}\n%%EOF\n",
        offsets.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthesis(pages: u16) -> Synthesis<'static> {
        Synthesis {
            document: 9,
            user: 42,
            title: "Certified liveness result",
            pages,
            marker: "mark-9",
        }
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    /// Checks the cross-reference table against the bytes: each offset starts its object.
    fn check_offsets(file: &[u8]) {
        let tail = &file[file.len() - 40..];
        let at = find(tail, b"startxref\n").expect("a startxref") + 10;
        let digits: String = tail[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        let start: usize = digits.parse().unwrap();
        let table = String::from_utf8(file[start..].to_vec()).expect("the table is text");
        assert!(table.starts_with("xref\n"), "startxref points at the table");
        for (number, line) in table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .enumerate()
        {
            let offset: usize = line[..10].parse().unwrap();
            let object = format!("{} 0 obj", number + 1);
            assert!(
                file[offset..].starts_with(object.as_bytes()),
                "{object} at {offset}"
            );
        }
    }

    #[test]
    fn pages_are_counted_and_offsets_point_at_their_objects() {
        let file = layout(&synthesis(20), 0).bytes();
        assert!(file.starts_with(b"%PDF-1.7") && file.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&file);
        assert!(text.contains("/Count 20"));
        assert_eq!(text.matches("/Type /Page ").count(), 20);
        assert!(text.contains("(Page 20 of 20)") && text.contains("mark-9"));
        check_offsets(&file);
    }

    #[test]
    fn padding_reaches_the_size_asked_and_keeps_the_file_valid() {
        for size in [10_000, 65_536, 3 * 1024 * 1024 + 17] {
            let layout = layout(&synthesis(2), size);
            let file = layout.bytes();
            assert_eq!(file.len() as u64, size, "{size}");
            check_offsets(&file);
        }
    }

    #[test]
    fn names_are_written_in_win_ansi() {
        assert_eq!(pdf_text("Zoé (O\\B)"), "Zo\\351 \\(O\\\\B\\)");
        assert_eq!(pdf_text("Łukasz"), "?ukasz");
    }
}
