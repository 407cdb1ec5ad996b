//! `GET /v1/users`: Treezor's filters, sort and paging over the sandbox's users.

use kyc::Timestamp;
use serde::Deserialize;

use super::World;
use super::users::UserRecord;

/// Filters of `GET /v1/users`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFilter {
    pub user_id: Option<String>,
    pub user_type_id: Option<String>,
    pub user_status: Option<String>,
    pub user_tag: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub legal_name: Option<String>,
    pub parent_user_id: Option<String>,
    pub created_date_from: Option<String>,
    pub created_date_to: Option<String>,
    pub updated_date_from: Option<String>,
    pub updated_date_to: Option<String>,
    pub page_number: Option<String>,
    pub page_count: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
}

impl World {
    /// `GET /v1/users`: the matching users of the asked page, and how many match in all.
    pub fn search(&self, filter: &UserFilter) -> Result<(Vec<&UserRecord>, usize), String> {
        let number = |raw: &Option<String>, name: &str| -> Result<Option<u64>, String> {
            raw.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| {
                    r.parse::<u64>()
                        .map_err(|_| format!("{name} must be a whole number"))
                })
                .transpose()
        };
        let date = |raw: &Option<String>, name: &str| -> Result<Option<Timestamp>, String> {
            raw.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| {
                    Timestamp::parse_treezor_date(r)
                        .map_err(|_| format!("{name} must be a date YYYY-MM-DD HH:mm:ss"))
                })
                .transpose()
        };
        let user_id = number(&filter.user_id, "userId")?;
        let user_type = number(&filter.user_type_id, "userTypeId")?;
        let parent = number(&filter.parent_user_id, "parentUserId")?;
        let page_number = number(&filter.page_number, "pageNumber")?
            .unwrap_or(1)
            .max(1);
        let page_count = number(&filter.page_count, "pageCount")?.unwrap_or(50);
        if !(1..=200).contains(&page_count) {
            return Err("pageCount must be between 1 and 200".into());
        }
        let (created_from, created_to) = (
            date(&filter.created_date_from, "createdDateFrom")?,
            date(&filter.created_date_to, "createdDateTo")?,
        );
        let (updated_from, updated_to) = (
            date(&filter.updated_date_from, "updatedDateFrom")?,
            date(&filter.updated_date_to, "updatedDateTo")?,
        );
        let text = |raw: &Option<String>| {
            raw.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
        };
        let (status, tag, email, name, legal) = (
            text(&filter.user_status),
            text(&filter.user_tag),
            text(&filter.email),
            text(&filter.name),
            text(&filter.legal_name),
        );
        let mut matching: Vec<&UserRecord> = self
            .users
            .values()
            .filter(|u| user_id.is_none_or(|id| u.id == id))
            .filter(|u| user_type.is_none_or(|t| u.user_type == t))
            .filter(|u| parent.is_none_or(|p| u.parent_user_id == p))
            .filter(|u| {
                status
                    .as_deref()
                    .is_none_or(|s| u.status.eq_ignore_ascii_case(s))
            })
            .filter(|u| tag.as_deref().is_none_or(|t| u.user_tag == t))
            .filter(|u| {
                email
                    .as_deref()
                    .is_none_or(|e| u.email.eq_ignore_ascii_case(e))
            })
            .filter(|u| name.as_deref().is_none_or(|n| u.matches_name(n)))
            .filter(|u| {
                legal
                    .as_deref()
                    .is_none_or(|l| u.legal_name.to_lowercase().contains(&l.to_lowercase()))
            })
            .filter(|u| {
                created_from.is_none_or(|f| u.created >= f)
                    && created_to.is_none_or(|t| u.created <= t)
            })
            .filter(|u| {
                updated_from.is_none_or(|f| u.modified >= f)
                    && updated_to.is_none_or(|t| u.modified <= t)
            })
            .collect();
        let by_modified = filter.sort_by.as_deref() == Some("modifiedDate");
        let by_id = filter.sort_by.as_deref() == Some("userId");
        matching.sort_by_key(|u| {
            (
                if by_modified {
                    u.modified
                } else if by_id {
                    Timestamp::from_unix_micros(0)
                } else {
                    u.created
                },
                u.id,
            )
        });
        if !filter
            .sort_order
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("ASC"))
        {
            matching.reverse();
        }
        let total = matching.len();
        let start = ((page_number - 1) * page_count) as usize;
        let page = matching
            .into_iter()
            .skip(start)
            .take(page_count as usize)
            .collect();
        Ok((page, total))
    }
}
