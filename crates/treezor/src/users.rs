//! `GET /v1/users/{userId}` and `GET /v1/users` (search, with paging).

use kyc::objects::User;
use kyc::{Timestamp, UserId, UserType};

use crate::answers::{objects, parse};
use crate::call::Call;
use crate::client::Client;
use crate::config_problem::ConfigProblem;
use crate::error::{Error, Problem, Result, TreezorError};

/// Filters of a user search. Treezor has no filter on KYC state: filter the results locally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserQuery {
    pub user_type: Option<UserType>,
    pub user_status: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub parent: Option<UserId>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    pub updated_from: Option<Timestamp>,
    pub updated_to: Option<Timestamp>,
    /// From 1.
    pub page_number: u32,
    /// Users per page, 1 to 200.
    pub page_count: u32,
}

impl Default for UserQuery {
    fn default() -> Self {
        UserQuery {
            user_type: None,
            user_status: None,
            email: None,
            name: None,
            parent: None,
            created_from: None,
            created_to: None,
            updated_from: None,
            updated_to: None,
            page_number: 1,
            page_count: 50,
        }
    }
}

/// One page of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPage {
    pub users: Vec<User>,
    pub page_number: u32,
    pub page_count: u32,
    /// How many users match in all, when Treezor says (`totalRows`).
    pub total_rows: Option<u64>,
}

impl UserPage {
    /// Whether a next page may hold more users.
    pub fn has_more(&self) -> bool {
        match self.total_rows {
            Some(total) => u64::from(self.page_number) * u64::from(self.page_count) < total,
            None => self.users.len() as u64 >= u64::from(self.page_count),
        }
    }
}

impl Client {
    pub async fn get_user(&self, user: UserId) -> Result<User> {
        let call = Call::get(format!("/v1/users/{user}"));
        let what = call.describe();
        let body = self.send(call).await?;
        let first = objects(&what, &body, "users")?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::from(TreezorError {
                    call: what.clone(),
                    status: 200,
                    code: None,
                    // Treezor said nothing: the window words the problem, and Treezor's
                    // message is quoted only when it gave one.
                    message: String::new(),
                    request_id: None,
                    doc_url: None,
                    problem: Problem::NotFound,
                })
            })?;
        parse(&what, first)
    }

    /// One page of users matching `query`.
    pub async fn search_users(&self, query: &UserQuery) -> Result<UserPage> {
        if !(1..=200).contains(&query.page_count) || query.page_number == 0 {
            return Err(Error::Config(ConfigProblem::PageRange));
        }
        let mut call = Call::get("/v1/users".into())
            .query("pageNumber", query.page_number)
            .query("pageCount", query.page_count);
        let texts = [
            ("userStatus", &query.user_status),
            ("email", &query.email),
            ("name", &query.name),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                call = call.query(key, value);
            }
        }
        if let Some(user_type) = query.user_type {
            call = call.query("userTypeId", user_type.number());
        }
        if let Some(parent) = query.parent {
            call = call.query("parentUserId", parent);
        }
        let dates = [
            ("createdDateFrom", query.created_from),
            ("createdDateTo", query.created_to),
            ("updatedDateFrom", query.updated_from),
            ("updatedDateTo", query.updated_to),
        ];
        for (key, value) in dates {
            if let Some(at) = value {
                call = call.query(key, at.to_treezor_date());
            }
        }
        let what = call.describe();
        let body = self.send(call).await?;
        let items = objects(&what, &body, "users")?;
        let total_rows = items
            .first()
            .and_then(|u| u.get("totalRows"))
            .and_then(|t| match t {
                serde_json::Value::Number(n) => n.as_u64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            });
        let users = items
            .into_iter()
            .map(|u| parse(&what, u))
            .collect::<Result<Vec<User>>>()?;
        Ok(UserPage {
            users,
            page_number: query.page_number,
            page_count: query.page_count,
            total_rows,
        })
    }

    /// Every user matching `query`, page after page, reading at most `max_pages` pages.
    pub async fn all_users(&self, query: &UserQuery, max_pages: u32) -> Result<Vec<User>> {
        let mut query = query.clone();
        let mut users = Vec::new();
        for _ in 0..max_pages {
            let page = self.search_users(&query).await?;
            let more = page.has_more() && !page.users.is_empty();
            users.extend(page.users);
            if !more {
                break;
            }
            query.page_number += 1;
        }
        Ok(users)
    }
}
