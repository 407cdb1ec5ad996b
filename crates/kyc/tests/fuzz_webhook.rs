//! Fuzzing of everything the domain reads from outside before anything else has checked it: webhook
//! bodies (envelope parsing and the signature check), the payloads a verified webhook carries, the
//! dates and identifiers inside them, and the redirect URLs an officer pastes.
//!
//! What it proves, for any input: nothing panics; a body that is not an envelope is refused with an
//! error that names what is wrong; and a signature made over one payload never lets a different
//! payload through (only a re-encoding of the same JSON, with the same canonical form, verifies).
//!
//! Each test runs a bounded number of cases under `cargo test` (proptest's 256, or the number set
//! here for the slower ones); `PROPTEST_CASES` raises it, and `scripts/fuzz` runs them for longer
//! with fresh random seeds. Every test name starts with `fuzz_` so that script can pick them out.

use kyc::objects::{Document, LivenessResult, User};
use kyc::redirect::RedirectQuery;
use kyc::webhook::{
    Envelope, EnvelopeError, SignatureError, WebhookSecret, canonical_json, meaning_of,
    sign_payload, verify_payload,
};
use kyc::{Timestamp, UserId, WebhookId};
use proptest::prelude::*;
use serde_json::Value;

/// The case count: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config
}

const SECRET: &str = "fuzz-webhook-secret";

fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET).unwrap()
}

/// Strings that hit the corners of JSON text: escapes, lone and reversed surrogates, control
/// characters, slashes, non-BMP characters, and plain arbitrary text.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 _./-]{0,24}",
        Just("\u{0}\u{1f}\u{7f}".to_owned()),
        Just("Zoé O'Brien-Lefèvre / Ελένη 😀".to_owned()),
        Just("\\".to_owned()),
        Just("\"".to_owned()),
        Just("</script>".to_owned()),
    ]
}

/// Arbitrary JSON values, nested a few levels, with huge and odd numbers.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        tricky_string().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(tricky_string(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A payload object like Treezor's: known fields with arbitrary values, and arbitrary extra ones.
fn payload_object() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "user_id",
        "userId",
        "kyc-status",
        "score",
        "identification-id",
        "reason-codes",
        "comment",
        "firstname",
        "lastname",
        "birthday",
        "email",
        "kycReview",
        "documentId",
        "documentTypeId",
        "createdDate",
        "modifiedDate",
        "users",
        "documents",
    ]);
    (
        prop::collection::vec((known, json_value()), 0..6),
        prop::collection::btree_map(tricky_string(), json_value(), 0..3),
    )
        .prop_map(|(known, extra)| {
            let mut object = serde_json::Map::new();
            for (key, value) in known {
                object.insert(key.to_owned(), value);
            }
            object.extend(extra);
            serde_json::to_string(&Value::Object(object)).unwrap()
        })
}

/// A Treezor-signed envelope around `payload`, flat or wrapped, with `webhook_created_at` as a
/// string or a number.
fn envelope(payload: &str, wrapped: bool, created_at_as_number: bool) -> String {
    let signature = sign_payload(&secret(), payload);
    let created_at = if created_at_as_number {
        "17200000001234".to_owned()
    } else {
        r#""1720000000.1234""#.to_owned()
    };
    let flat = format!(
        r#"{{"webhook":"kycliveness.update","webhook_id":"3f0c1d9e-1b2a-4c5d-8e7f-001122334455","webhook_created_at":{created_at},"object":"kycliveness","object_id":"42","object_payload":{payload},"object_payload_signature":"{signature}"}}"#
    );
    if wrapped {
        format!(r#"{{"messageId":"m-1","webhookId":"w-1","webhook":{flat}}}"#)
    } else {
        flat
    }
}

/// One change to a body's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    Flip {
        at: usize,
        mask: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Replace {
        at: usize,
        len: usize,
        with: Vec<u8>,
    },
}

/// Fragments that make small edits meaningful to a JSON reader.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..4),
        prop::sample::select(vec![
            "\"",
            "\\",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "0",
            "-",
            "1e999",
            "1e-999",
            "99999999999999999999999999",
            "-0",
            "null",
            "true",
            "\\u0000",
            "\\ud800",
            "\\udc00",
            "\\ud83d\\ude00",
            "\\u00e9",
            "\\/",
            "é",
            "\u{fffd}",
            "\u{0}",
            r#","object_payload":{"score":"1"}"#,
            r#","webhook":"user.kycreview""#,
            r#","object_payload_signature":"AAAA""#,
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        // Bytes that are never valid UTF-8 anywhere.
        Just(vec![0xff]),
        Just(vec![0xc3]),
        Just(vec![0xed, 0xa0, 0x80]), // a surrogate encoded as UTF-8
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (any::<usize>(), fragment()).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1..8usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1..8usize, fragment()).prop_map(|(at, len, with)| Mutation::Replace {
            at,
            len,
            with
        }),
    ]
}

fn apply(body: &mut Vec<u8>, mutation: &Mutation) {
    let position = |at: usize, len: usize| if len == 0 { 0 } else { at % (len + 1) };
    match mutation {
        Mutation::Flip { at, mask } => {
            if !body.is_empty() {
                let i = at % body.len();
                body[i] ^= mask;
            }
        }
        Mutation::Insert { at, bytes } => {
            let i = position(*at, body.len());
            body.splice(i..i, bytes.iter().copied());
        }
        Mutation::Delete { at, len } => {
            let i = position(*at, body.len());
            let end = (i + len).min(body.len());
            body.drain(i..end);
        }
        Mutation::Replace { at, len, with } => {
            let i = position(*at, body.len());
            let end = (i + len).min(body.len());
            body.splice(i..end, with.iter().copied());
        }
    }
}

/// What must hold for any body: no panic, an error that says something, and a verified envelope's
/// meaning read without panicking either.
fn check_any_body(body: &[u8]) -> Option<Envelope> {
    match Envelope::parse(body) {
        Ok(envelope) => {
            // Debug never prints the payload.
            let _ = format!("{envelope:?}");
            let _ = canonical_json(envelope.payload_json());
            if envelope.verify(&secret()).is_ok() {
                let _ = meaning_of(
                    &envelope.event,
                    envelope.created_at,
                    envelope.payload_json(),
                    Timestamp::from_unix_seconds(1_720_000_000),
                );
            }
            Some(envelope)
        }
        Err(error) => {
            assert!(!error.to_string().is_empty());
            None
        }
    }
}

proptest! {
    #![proptest_config(cases(512))]

    /// Random bytes: never a panic, never a verified envelope.
    #[test]
    fn fuzz_arbitrary_bytes_are_refused_or_unverified(body in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Some(envelope) = check_any_body(&body) {
            prop_assert!(envelope.verify(&secret()).is_err());
        }
    }

    /// Arbitrary JSON text as a body: parsed or refused, never verified, never a panic.
    #[test]
    fn fuzz_arbitrary_json_bodies(value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap();
        if let Some(envelope) = check_any_body(&body) {
            prop_assert!(envelope.verify(&secret()).is_err());
        }
    }

    /// A genuine envelope verifies and gives back its payload's bytes exactly.
    #[test]
    fn fuzz_genuine_envelopes_verify(payload in payload_object(), wrapped in any::<bool>(), number in any::<bool>()) {
        let body = envelope(&payload, wrapped, number);
        let parsed = Envelope::parse(body.as_bytes()).expect("a genuine envelope parses");
        prop_assert_eq!(parsed.payload_json(), payload.as_str());
        prop_assert_eq!(parsed.verify(&secret()), Ok(()));
        prop_assert!(parsed.verify(&WebhookSecret::new("another secret").unwrap()).is_err());
        let _ = meaning_of(&parsed.event, parsed.created_at, parsed.payload_json(), Timestamp::from_unix_seconds(0));
    }

    /// Mutated genuine envelopes: whatever the edits, an envelope that still verifies carries the
    /// payload that was signed (the same canonical form), never another one.
    #[test]
    fn fuzz_mutated_envelopes_never_verify_an_altered_payload(
        payload in payload_object(),
        wrapped in any::<bool>(),
        number in any::<bool>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let original = envelope(&payload, wrapped, number);
        let mut body = original.clone().into_bytes();
        for m in &mutations {
            apply(&mut body, m);
        }
        if let Some(envelope) = check_any_body(&body)
            && envelope.verify(&secret()).is_ok()
        {
            prop_assert_eq!(
                canonical_json(envelope.payload_json()),
                canonical_json(&payload),
                "a verified payload is the signed one"
            );
        }
    }

    /// A key given twice at the top of the envelope (or of the wrapped one) is refused by name,
    /// whichever value comes first: a second `object_payload` is how a forgery would hide.
    #[test]
    fn fuzz_duplicate_keys_are_refused(
        payload in payload_object(),
        wrapped in any::<bool>(),
        key in prop::sample::select(vec!["webhook", "webhook_id", "object_payload", "object_payload_signature", "webhook_created_at", "object_id"]),
        value in json_value(),
        first in any::<bool>(),
    ) {
        let flat = envelope(&payload, false, false);
        let extra = format!(r#""{key}":{}"#, serde_json::to_string(&value).unwrap());
        let doubled = if first {
            format!("{{{extra},{}", &flat[1..])
        } else {
            format!("{},{extra}}}", &flat[..flat.len() - 1])
        };
        let body = if wrapped {
            format!(r#"{{"webhookId":"w-1","webhook":{doubled}}}"#)
        } else {
            doubled
        };
        match Envelope::parse(body.as_bytes()) {
            Err(EnvelopeError::DuplicateField(name)) => prop_assert_eq!(name, key),
            other => prop_assert!(false, "expected a duplicate {key}, got {other:?}"),
        }
    }

    /// Deep nesting inside the payload or around the envelope: refused or parsed, never a stack
    /// overflow, and the signature check and the payload's meaning stay safe.
    #[test]
    fn fuzz_deep_nesting(depth in 1usize..3000, arrays in any::<bool>(), around in any::<bool>()) {
        let (open, close) = if arrays { ("[", "]") } else { (r#"{"a":"#, "}") };
        let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let body = if around {
            format!(r#"{{"webhook":{nested},"webhook_id":"a","object_payload":{{}}}}"#)
        } else {
            envelope(&format!(r#"{{"user_id":"42","deep":{nested}}}"#), false, false)
        };
        if let Some(envelope) = check_any_body(body.as_bytes()) {
            let _ = meaning_of("user.update", None, envelope.payload_json(), Timestamp::from_unix_seconds(0));
        }
    }

    /// Huge, negative, fractional and exponent numbers where ids and times go: a clear error or a
    /// value, never an overflow.
    #[test]
    fn fuzz_huge_numbers_in_ids_and_times(
        id in prop::sample::select(vec!["0", "-1", "1e999", "-1e999", "18446744073709551616", "99999999999999999999999999999", "1.5", "1e2", "-0", "0.0000001"]),
        created in prop::sample::select(vec!["0", "-1", "1e999", "9223372036854775807", "92233720368547758070", "\"99999999999999999999.9999\"", "\"1.\"", "\".5\"", "\"-1.5\"", "1720000000.5", "\"1720000000.123456789\""]),
    ) {
        let payload = r#"{"user_id":"42"}"#;
        let signature = sign_payload(&secret(), payload);
        let body = format!(
            r#"{{"webhook":"kycliveness.update","webhook_id":{id},"webhook_created_at":{created},"object_id":{id},"object_payload":{payload},"object_payload_signature":"{signature}"}}"#
        );
        check_any_body(body.as_bytes());
        let numbers = format!(r#"{{"user_id":{id},"score":{id},"kyc-status":"processed","identification-id":{id},"createdDate":{created},"documentId":{id},"documentTypeId":{id},"userId":{id}}}"#);
        for event in ["kycliveness.update", "document.create", "user.update", "user.kycreview"] {
            let _ = meaning_of(event, None, &numbers, Timestamp::from_unix_seconds(0));
        }
    }

    /// Any payload under any event name: a meaning or a payload error that names the event.
    #[test]
    fn fuzz_payload_meaning(
        event in prop::sample::select(vec!["kycliveness.create", "kycliveness.update", "document.create", "user.create", "user.update", "user.kycrequest", "user.kycreview", "card.create", ""]),
        payload in prop_oneof![payload_object(), json_value().prop_map(|v| serde_json::to_string(&v).unwrap())],
    ) {
        if let Err(error) = meaning_of(event, None, &payload, Timestamp::from_unix_seconds(0)) {
            prop_assert!(error.to_string().contains(event));
        }
        let _ = serde_json::from_str::<User>(&payload);
        let _ = serde_json::from_str::<Document>(&payload);
        let _ = serde_json::from_str::<LivenessResult>(&payload);
    }

    /// The signature check over arbitrary payload text and signature text never panics, and a
    /// signature never verifies a payload with another canonical form.
    #[test]
    fn fuzz_signature_check(payload in any::<String>(), other in any::<String>(), signature in any::<String>()) {
        let _ = verify_payload(&secret(), &payload, Some(&signature));
        let genuine = sign_payload(&secret(), &payload);
        prop_assert_eq!(verify_payload(&secret(), &payload, Some(&genuine)), Ok(()));
        let same = canonical_json(&other).is_some() && canonical_json(&other) == canonical_json(&payload);
        if other != payload && !same {
            prop_assert_eq!(verify_payload(&secret(), &other, Some(&genuine)), Err(SignatureError::Mismatch));
        }
    }

    /// The canonical form of any JSON text is stable: encoding it again changes nothing.
    #[test]
    fn fuzz_canonical_form_is_stable(text in prop_oneof![any::<String>(), json_value().prop_map(|v| serde_json::to_string(&v).unwrap())]) {
        if let Some(canonical) = canonical_json(&text) {
            prop_assert_eq!(canonical_json(&canonical), Some(canonical.clone()));
        }
    }

    /// Dates and identifiers as Treezor writes them, and anything else: parsed or refused.
    #[test]
    fn fuzz_dates_and_ids(raw in prop_oneof![
        any::<String>(),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9.]{2,9}(Z|[+-][0-9]{2}:[0-9]{2})?",
        "[0-9. é€😀-]{15,30}",
    ]) {
        let _ = Timestamp::parse_treezor_date(&raw);
        let _ = Timestamp::parse_rfc3339(&raw);
        let _ = Timestamp::parse_webhook_created_at(&raw);
        let _ = UserId::parse(&raw);
        let _ = WebhookId::parse(&raw);
    }

    /// Redirect URLs pasted by an officer: decoded or refused with a reason.
    #[test]
    fn fuzz_redirect_urls(raw in prop_oneof![
        any::<String>(),
        "https://acme\\.example/back\\?(id|event|response_code|x)=[%0-9a-zA-Z_&=+]{0,60}",
    ]) {
        if let Err(error) = RedirectQuery::parse(&raw) {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}

/// Strings inside a payload that hold lone or reversed surrogate escapes sign and verify like any
/// other, and the canonical form keeps them (Treezor's PHP encoder writes them as escapes).
#[test]
fn fuzz_surrogate_escapes_sign_and_verify() {
    for text in [
        r#"{"name":"\ud800"}"#,
        r#"{"name":"\udc00\ud800"}"#,
        r#"{"name":"\ud83d\ude00"}"#,
        r#"{"name":"\uD83D"}"#,
    ] {
        let signature = sign_payload(&secret(), text);
        assert_eq!(verify_payload(&secret(), text, Some(&signature)), Ok(()));
        let envelope_body = envelope(text, false, false);
        match Envelope::parse(envelope_body.as_bytes()) {
            Ok(parsed) => {
                assert_eq!(parsed.payload_json(), text);
                assert_eq!(parsed.verify(&secret()), Ok(()));
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
}
