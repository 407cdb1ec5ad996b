//! Treezor's objects written as JSON text, with their keys in Treezor's order.
//!
//! The REST API writes numbers as numbers (`"userId":123`); webhooks write every scalar as a
//! string (`"userId":"123"`). One builder writes both, so an object has one definition. Key order
//! matters for webhooks: the signature covers the payload as written.

/// Which of Treezor's two ways of writing values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    Rest,
    Webhook,
}

/// A JSON object written key by key, in order.
pub struct Obj {
    wire: Wire,
    text: String,
}

impl Obj {
    pub fn new(wire: Wire) -> Obj {
        Obj {
            wire,
            text: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        self.text.push_str(&quote(key));
        self.text.push(':');
    }

    /// A whole number: a number in REST answers, a string in webhooks.
    pub fn int(mut self, key: &str, value: i64) -> Obj {
        self.key(key);
        match self.wire {
            Wire::Rest => self.text.push_str(&value.to_string()),
            Wire::Webhook => self.text.push_str(&quote(&value.to_string())),
        }
        self
    }

    pub fn text(mut self, key: &str, value: &str) -> Obj {
        self.key(key);
        self.text.push_str(&quote(value));
        self
    }

    /// A value already written as JSON (an array or an object).
    pub fn raw(mut self, key: &str, json: &str) -> Obj {
        self.key(key);
        self.text.push_str(json);
        self
    }

    pub fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

pub fn quote(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into())
}

/// `[a,b,c]` from JSON texts.
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

/// `{"<key>":[…]}`, Treezor's list answer (`{"users":[…]}`, `{"documents":[…]}`).
pub fn listed<I: IntoIterator<Item = String>>(key: &str, items: I) -> String {
    format!("{{{}:{}}}", quote(key), array(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_writes_numbers_and_webhooks_write_strings() {
        let build = |wire| {
            Obj::new(wire)
                .int("userId", 42)
                .text("firstname", "Zoé")
                .raw("reasons", "[]")
                .finish()
        };
        assert_eq!(
            build(Wire::Rest),
            r#"{"userId":42,"firstname":"Zoé","reasons":[]}"#
        );
        assert_eq!(
            build(Wire::Webhook),
            r#"{"userId":"42","firstname":"Zoé","reasons":[]}"#
        );
        assert_eq!(
            listed("users", vec!["{}".into(), "{}".into()]),
            r#"{"users":[{},{}]}"#
        );
    }
}
