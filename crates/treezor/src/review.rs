//! `PUT /v1/users/{userId}/Kycreview` (capital K, as Treezor spells it).

use kyc::UserId;
use kyc::objects::User;

use crate::answers::{Unexpected, objects, parse, unexpected};
use crate::call::{AccessTag, Call};
use crate::client::Client;
use crate::error::Result;

impl Client {
    /// Asks Treezor to review the user's KYC (and its children's). Treezor answers with the user,
    /// `kycReview` 1; `user.kycrequest` then `user.kycreview` follow as webhooks.
    pub async fn request_kyc_review(
        &self,
        user: UserId,
        access_tag: Option<&AccessTag>,
    ) -> Result<User> {
        let call = Call::put(format!("/v1/users/{user}/Kycreview")).tagged(access_tag);
        let what = call.describe();
        let body = self.send(call).await?;
        let first = objects(&what, &body, "users")?
            .into_iter()
            .next()
            .ok_or_else(|| unexpected(&what, Unexpected::missing(&["users"])))?;
        parse(&what, first)
    }
}
