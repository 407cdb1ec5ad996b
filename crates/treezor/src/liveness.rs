//! `POST /v1/users/{userId}/kycliveness` (start a live verification) and
//! `PUT /v1/users/{userId}/kycliveness` (have Treezor store its documents).

use kyc::{IdentificationId, LivenessType, UserId};
use serde_json::Value;

use crate::answers::{Unexpected, unexpected};

use crate::call::{AccessTag, Call};
use crate::client::Client;
use crate::error::Result;
use crate::refusal::Endpoint;

/// A started live verification: where to send the end user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LivenessStart {
    pub identification: IdentificationId,
    /// The `identification-url`: valid 15 minutes.
    pub url: String,
    /// The method, when Treezor says (the guide's answer does, the OpenAPI one does not).
    pub liveness_type: Option<LivenessType>,
}

/// Reads the guide's `{"identification":{…}}` or the OpenAPI file's `{"user_kyc":[{…}]}`.
pub(crate) fn read_start(call: &str, body: &[u8]) -> Result<LivenessStart> {
    let unexpected = |problem: Unexpected| unexpected(call, problem);
    let value: Value =
        serde_json::from_slice(body).map_err(|e| unexpected(Unexpected::not_json(Some(&e))))?;
    let object = value
        .get("identification")
        .filter(|v| v.is_object())
        .or_else(|| {
            value
                .get("user_kyc")
                .and_then(|list| list.as_array())
                .and_then(|list| list.first())
        })
        .or_else(|| value.get("identification-id").map(|_| &value))
        .ok_or_else(|| unexpected(Unexpected::missing(&["identification", "user_kyc"])))?;
    let field = |names: &[&str]| {
        names.iter().find_map(|n| match object.get(*n) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
    };
    let id = field(&["identification-id", "identificationId", "identification_id"])
        .ok_or_else(|| unexpected(Unexpected::missing(&["identification-id"])))?;
    let url = field(&[
        "identification-url",
        "identificationUrl",
        "identification_url",
    ])
    .ok_or_else(|| unexpected(Unexpected::missing(&["identification-url"])))?;
    Ok(LivenessStart {
        identification: IdentificationId::parse(&id)
            .map_err(|e| unexpected(Unexpected::bad_value(&e)))?,
        url,
        liveness_type: field(&["type"]).and_then(|t| LivenessType::parse(&t).ok()),
    })
}

impl Client {
    /// Starts a live verification. A second start before the first ends replaces it.
    ///
    /// Sent once and never repeated, whatever happens: Treezor's reference declares an
    /// `accessTag` on the review, document and user calls but not on this one, so nothing says a
    /// repeat would return the first verification rather than replace it with a second. When
    /// the answer is lost after the request left ([`Error::may_have_acted`]), Treezor may have
    /// started one: the caller must not send it again on its own.
    pub async fn start_liveness(
        &self,
        user: UserId,
        redirect_url: Option<&str>,
    ) -> Result<LivenessStart> {
        let body = match redirect_url {
            Some(url) => serde_json::json!({ "redirectUrl": url }).to_string(),
            None => "{}".to_owned(),
        };
        let call = Call::post(format!("/v1/users/{user}/kycliveness"))
            .json(body)
            .endpoint(Endpoint::StartLiveness);
        let what = call.describe();
        let answer = self.send(call).await?;
        read_start(&what, &answer)
    }

    /// Has Treezor fetch the last verification's documents; one `document.create` webhook follows
    /// per document. Only after `kycliveness.update` says `processed` with score 1.
    pub async fn retrieve_liveness_documents(
        &self,
        user: UserId,
        access_tag: Option<&AccessTag>,
    ) -> Result<()> {
        let call = Call::put(format!("/v1/users/{user}/kycliveness"))
            .tagged(access_tag)
            .endpoint(Endpoint::RetrieveDocuments);
        self.send(call).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_answer_shapes_read() {
        let guide = read_start("c", br#"{"identification":{"identification-id":"f8048bee-3182-48dc-93e5-7eef9db77050","identification-url":"https://id.example/f8","type":"video_certified"}}"#).unwrap();
        assert_eq!(
            guide.identification.as_str(),
            "f8048bee-3182-48dc-93e5-7eef9db77050"
        );
        assert_eq!(guide.liveness_type, Some(LivenessType::VideoCertified));
        let openapi = read_start("c", br#"{"user_kyc":[{"identification-id":"abc","identification-url":"https://id.example/abc"}]}"#).unwrap();
        assert_eq!(
            (
                openapi.identification.as_str(),
                openapi.url.as_str(),
                openapi.liveness_type
            ),
            ("abc", "https://id.example/abc", None)
        );
        assert!(read_start("c", br#"{"user_kyc":[]}"#).is_err());
        let error = read_start("c", br#"{"identification":{"identification-url":"x"}}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("it holds no identification-id"), "{error}");
    }
}
