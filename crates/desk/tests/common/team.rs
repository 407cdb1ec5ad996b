//! Officers of the world's hub, each on a desk of their own.

use desk::desk::Desk;
use kyc::officer::{OfficerName, Role};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;

use super::{World, until};

/// Issues a credential on the world's relay, as `kyc-relay officers add` does.
pub async fn issue(world: &World, name: &str, role: Role) -> Credential {
    let credential = Credential::issue();
    SqliteOfficers::open(&world.relay_data)
        .unwrap()
        .add(OfficerName::parse(name).unwrap(), role, credential.hash())
        .await
        .unwrap();
    credential
}

/// A desk of `world` in its own `home`, signed in at the hub as `name` with `role`.
pub async fn signed_in(world: &World, home: &str, name: &str, role: Role) -> Desk {
    let credential = issue(world, name, role).await;
    let desk = world.colleague_desk(home, credential.expose()).await;
    until(&desk, "the sign-in", || async {
        desk.status().sync.signed_in
    })
    .await;
    desk
}
