//! Proves that an officer looks at a case's documents inside the window, from memory: a JPEG, a
//! PNG and a WebP picture of the identity document shown at their natural size, zoomed and turned, a
//! twenty-page PDF synthesis paged through, beside the identity declared and read with the
//! difference named; that no file appeared anywhere the app and its WebKit write (its folders,
//! `KYC_DESK_HOME`, the XDG data and cache folders, `TMPDIR`) and none holds a copy; that each
//! view is in the audit trail; and that files that are not what they claim, or that the engine
//! cannot decode, are refused with the reason while the window goes on.

use std::path::{Path, PathBuf};

use e2e::{Desk, Theme};
use serde_json::{Value, json};

use crate::customer::{Sandbox, open_case};

/// Every file under `folder`, by path.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut left = vec![folder.to_path_buf()];
    while let Some(dir) = left.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                left.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A user whose validated verification's documents have reached the open case; returns the
/// identity document's id and the synthesis's.
async fn documents_in_the_case(
    desk: &Desk,
    sandbox: &Sandbox,
    user: u64,
    name: &str,
) -> (u64, u64) {
    open_case(desk, name, user).await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Validated: retrieve the documents",
    )
    .await;
    desk.click("button[data-action=retrieve_documents]").await;
    // Listed is not arrived: the desk reads Treezor's list as soon as the documents are
    // requested, and shows what it lists before their document.create webhooks come; until one
    // has, View and Download are refused (aria-disabled). The case says when every one is in.
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Documents received: request the KYC review",
    )
    .await;
    let ids = desk
        .wait_for("both documents in the case", async |desk| {
            let mut ids = Vec::new();
            for item in desk.find_all("li[data-document]").await {
                ids.push(
                    item.attr("data-document")
                        .await
                        .ok()??
                        .parse::<u64>()
                        .ok()?,
                );
            }
            (ids.len() == 2).then_some(ids)
        })
        .await;
    // The identity document is created first.
    let (picture, synthesis) = (ids[0].min(ids[1]), ids[0].max(ids[1]));
    let synthesis_facts = sandbox.document_facts(synthesis).await;
    assert_eq!(synthesis_facts["media_type"], "application/pdf");
    (picture, synthesis)
}

/// A new customer, validated with an identity document of `kind`, whose documents reached the open
/// case; returns the picture's id.
async fn picture_in_a_case(
    desk: &Desk,
    sandbox: &Sandbox,
    (first, last, born): (&str, &str, &str),
    kind: &str,
) -> u64 {
    let user = sandbox.person(first, last, Some(born)).await;
    sandbox
        .validated_with(user, json!({ "kind": kind }), json!({}))
        .await;
    let name = format!("{first} {last}");
    documents_in_the_case(desk, sandbox, user, &name).await.0
}

/// Opens `document` in the viewer and waits until it is shown.
async fn view(desk: &Desk, document: u64) {
    open_viewer(desk, document).await;
    desk.element(&format!(
        "dialog.viewer[data-document=\"{document}\"][data-state=shown]"
    ))
    .await;
}

/// Clicks `document`'s View button once the documents panel is in view (below the status bar's
/// edge a button cannot be clicked) and the button is usable: a click on a refused one does
/// nothing, by design.
pub(crate) async fn open_viewer(desk: &Desk, document: u64) {
    desk.scroll_to(".documents").await;
    desk.click(&format!(
        "button[data-view=\"{document}\"][aria-disabled=false]"
    ))
    .await;
}

pub(crate) async fn close_viewer(desk: &Desk) {
    desk.press("\u{E00C}").await; // Escape
    desk.wait_for("the viewer to close", async |desk| {
        desk.find_all("dialog.viewer")
            .await
            .is_empty()
            .then_some(())
    })
    .await;
}

/// The colour of the canvas's pixel at `(x, y)` from its top-left (negative: from the right or
/// the bottom), as the page reads it back.
async fn pixel(desk: &Desk, x: i64, y: i64) -> [u8; 3] {
    let rgb = desk
        .script_async_with(
            "const [x, y, done] = arguments;
             const canvas = document.querySelector('dialog.viewer canvas');
             const px = x < 0 ? canvas.width + x : x, py = y < 0 ? canvas.height + y : y;
             const d = canvas.getContext('2d').getImageData(px, py, 1, 1).data;
             done([d[0], d[1], d[2]]);",
            vec![json!(x), json!(y)],
        )
        .await;
    let channel = |i: usize| rgb[i].as_u64().expect("a colour channel") as u8;
    [channel(0), channel(1), channel(2)]
}

fn reddish([r, g, b]: [u8; 3]) -> bool {
    r > 200 && g < 60 && b < 60
}

async fn number(desk: &Desk, css: &str, attribute: &str) -> f64 {
    desk.attribute(css, attribute)
        .await
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{css} has no numeric {attribute}"))
}

#[tokio::test]
async fn documents_are_shown_in_the_window_from_memory_and_leave_nothing_behind() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let zoe = sandbox
        .person("Zoé", "Lefèvre-Viewer", Some("1990-04-12"))
        .await;
    sandbox
        .validated_with(
            zoe,
            json!({"kind": "jpeg"}),
            json!({"last_name": "LEFEBVRE VIEWER"}),
        )
        .await;
    let (jpeg, synthesis) = documents_in_the_case(&desk, &sandbox, zoe, "Zoé Lefèvre-Viewer").await;
    sandbox
        .set_content(synthesis, json!({"kind": "pdf", "pages": 20}))
        .await;
    let home = desk.session_home();
    let before = files_under(&home);

    // The JPEG: shown at its natural size, fitted, its red corner where it belongs.
    view(&desk, jpeg).await;
    let viewer = "dialog.viewer";
    let canvas = "dialog.viewer canvas";
    assert_eq!(number(&desk, canvas, "data-natural-width").await, 1011.0);
    assert_eq!(number(&desk, canvas, "data-natural-height").await, 638.0);
    assert!(
        reddish(pixel(&desk, 5, 5).await),
        "the picture's top-left corner is drawn"
    );
    let identity = desk
        .wait_for_text("[data-testid=identity-verdict]", "Differs")
        .await;
    assert_eq!(identity.trim(), "Differs: last name.");
    let row = desk
        .text_of("tr[data-field=last_name]")
        .await
        .unwrap_or_default();
    assert!(
        row.contains("Lefèvre-Viewer") && row.contains("LEFEBVRE VIEWER"),
        "{row}"
    );
    desk.screenshot("viewer-jpeg").await;

    // Zoom in with the key, then the button: 1.25 × each, and the picture grows on screen.
    let fitted = number(&desk, viewer, "data-scale").await;
    let width = desk
        .script(
            "return document.querySelector('dialog.viewer canvas').getBoundingClientRect().width;",
        )
        .await
        .as_f64()
        .unwrap();
    desk.press("+").await;
    desk.click("button[aria-label='Zoom in']").await;
    let zoomed = number(&desk, viewer, "data-scale").await;
    assert!(
        (zoomed / fitted - 1.5625).abs() < 0.01,
        "{fitted} → {zoomed}"
    );
    let wider = desk
        .script(
            "return document.querySelector('dialog.viewer canvas').getBoundingClientRect().width;",
        )
        .await
        .as_f64()
        .unwrap();
    assert!(wider > width * 1.5, "{width} → {wider}");
    desk.press("1").await;
    assert_eq!(number(&desk, viewer, "data-scale").await, 1.0);
    desk.press("0").await;
    desk.element("dialog.viewer[data-fit=true]").await;

    // Turned a quarter clockwise: the red corner is now top-right.
    desk.press("r").await;
    desk.element("dialog.viewer[data-rotation='90']").await;
    assert_eq!(
        desk.script("return document.querySelector('dialog.viewer canvas').width;")
            .await,
        json!(638)
    );
    assert!(
        reddish(pixel(&desk, -5, 5).await),
        "the corner moved with the turn"
    );
    assert!(!reddish(pixel(&desk, 5, 5).await));
    desk.screenshot("viewer-jpeg-turned").await;
    close_viewer(&desk).await;

    // The synthesis: a PDF rendered by pdf.js in the page, twenty pages, paged through.
    view(&desk, synthesis).await;
    let pages = desk
        .wait_for_text("[data-testid=pages]", "Page 1 of 20")
        .await;
    assert_eq!(pages.trim(), "Page 1 of 20");
    assert_eq!(
        desk.attribute(viewer, "data-pages").await.as_deref(),
        Some("20")
    );
    // The page's header band is drawn in its dark blue.
    let [r, g, b] = pixel(&desk, 20, 20).await;
    assert!(
        r < 80 && g < 110 && b > 90,
        "the page is rendered: {:?}",
        [r, g, b]
    );
    desk.press("\u{E00F}").await; // Page Down
    desk.wait_for_text("[data-testid=pages]", "Page 2 of 20")
        .await;
    desk.press("\u{E010}").await; // End
    desk.wait_for_text("[data-testid=pages]", "Page 20 of 20")
        .await;
    desk.press("r").await;
    desk.element("dialog.viewer[data-rotation='90'][data-state=shown]")
        .await;
    desk.screenshot("viewer-pdf").await;
    close_viewer(&desk).await;

    // A PNG, for another customer.
    let png = picture_in_a_case(
        &desk,
        &sandbox,
        ("Hugo", "Martin-Viewer", "1985-01-31"),
        "png",
    )
    .await;
    let before_png = files_under(&home);
    view(&desk, png).await;
    assert_eq!(number(&desk, canvas, "data-natural-width").await, 856.0);
    assert_eq!(number(&desk, canvas, "data-natural-height").await, 540.0);
    assert!(reddish(pixel(&desk, 5, 5).await));
    desk.wait_for_text("[data-testid=identity-verdict]", "agrees")
        .await;
    desk.screenshot("viewer-png").await;
    close_viewer(&desk).await;

    // A WebP picture, made by a real encoder in the sandbox, decoded by the window's engine at
    // its own natural size.
    let webp = picture_in_a_case(
        &desk,
        &sandbox,
        ("Inès", "Garcia-Viewer", "1979-11-02"),
        "webp",
    )
    .await;
    assert_eq!(
        sandbox.document_facts(webp).await["media_type"],
        "image/webp"
    );
    let before_webp = files_under(&home);
    view(&desk, webp).await;
    assert_eq!(number(&desk, canvas, "data-natural-width").await, 642.0);
    assert_eq!(number(&desk, canvas, "data-natural-height").await, 405.0);
    assert!(reddish(pixel(&desk, 5, 5).await));
    desk.screenshot("viewer-webp").await;
    close_viewer(&desk).await;

    // Nothing written: no file appeared anywhere the app and WebKit write, and none holds a copy
    // of any of the four documents. Mesa, the GL library that draws the window, keeps the GPU
    // programs it compiles in its own cache folder (XDG_CACHE_HOME/mesa_shader_cache) the first
    // time a kind of drawing is done: compiled shaders, no picture; they are searched for the
    // documents' markers with every other file below.
    let shaders = home.join("cache/mesa_shader_cache");
    let after = files_under(&home);
    let new: Vec<&PathBuf> = after
        .iter()
        .filter(|p| {
            !before.contains(p)
                && !before_png.contains(p)
                && !before_webp.contains(p)
                && !p.starts_with(&shaders)
        })
        .collect();
    assert!(new.is_empty(), "files appeared while viewing: {new:?}");
    for document in [jpeg, synthesis, png, webp] {
        let marker = sandbox.document_facts(document).await["marker"]
            .as_str()
            .expect("a marker")
            .to_owned();
        for path in &after {
            let bytes = std::fs::read(path).unwrap_or_default();
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{} holds a copy of document {document}",
                path.display()
            );
        }
    }

    // Each view is in the case's audit trail, without content.
    open_case(&desk, "Zoé Lefèvre-Viewer", zoe).await;
    desk.click_button("JSON").await;
    let exported = desk.wait_for_text(".exported", "Exported").await;
    let file = exported
        .split(" to ")
        .nth(1)
        .map(|p| PathBuf::from(p.trim()))
        .unwrap_or_else(|| panic!("no path in {exported:?}"));
    let trail: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let views: Vec<&Value> = trail
        .as_array()
        .or_else(|| trail["entries"].as_array())
        .expect("the export lists entries")
        .iter()
        .filter(|e| e["action"] == "view_document")
        .collect();
    assert_eq!(views.len(), 2, "{views:?}");
    for (entry, document, words) in [
        (views[0], jpeg, "a JPEG picture"),
        (views[1], synthesis, "a PDF"),
    ] {
        assert_eq!(entry["outcome"], "succeeded");
        let detail = entry["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("viewed document {document}: {words}")),
            "{detail}"
        );
    }
    desk.close().await;
}

#[tokio::test]
async fn files_that_lie_or_do_not_decode_are_refused_with_the_reason_and_the_window_goes_on() {
    let desk = Desk::open(Theme::Dark).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox
        .person("Ana", "Souza-Viewer", Some("1992-07-03"))
        .await;
    sandbox
        .validated_with(user, json!({"kind": "heic"}), json!({}))
        .await;
    let (heic, synthesis) = documents_in_the_case(&desk, &sandbox, user, "Ana Souza-Viewer").await;
    sandbox
        .set_content(synthesis, json!({"kind": "not_pdf"}))
        .await;

    // Not a PDF though named and served as one: refused by the desk before the page gets a byte.
    open_viewer(&desk, synthesis).await;
    let refused = desk
        .wait_for_text("[data-testid=viewer-problem]", "is not shown")
        .await;
    assert!(
        refused.contains("its bytes are not those of a JPEG, PNG, WebP or HEIC picture nor of a PDF (its name says a PDF)"),
        "{refused}"
    );
    assert!(
        !refused.contains("Bad Gateway"),
        "the content is never shown: {refused}"
    );
    // Nothing to zoom or turn: the view's tools are off.
    for tool in ["Zoom in", "Zoom out", "Rotate clockwise"] {
        desk.element(&format!("button[aria-label='{tool}'][disabled]"))
            .await;
    }
    desk.screenshot("viewer-refused").await;
    close_viewer(&desk).await;

    // An HEIC picture: the desk passes it, this window's engine does not decode it, and says so.
    open_viewer(&desk, heic).await;
    let said = desk
        .wait_for_text("[data-testid=viewer-problem]", "HEIC")
        .await;
    assert!(said.contains("Save a copy"), "{said}");
    desk.screenshot("viewer-heic").await;
    close_viewer(&desk).await;

    // The window goes on: the synthesis made a real PDF again is shown.
    sandbox
        .set_content(synthesis, json!({"kind": "pdf", "pages": 2}))
        .await;
    view(&desk, synthesis).await;
    desk.wait_for_text("[data-testid=pages]", "Page 1 of 2")
        .await;
    close_viewer(&desk).await;
    desk.close().await;
}
