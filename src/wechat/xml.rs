//! WeChat's XML messages: reading what the platform posts, writing the passive reply and the
//! encrypted envelope. Pure.
//!
//! Every body is pre-scanned ([`prescan`]) before the XML parser sees it: deep nesting
//! overflowed the stack and thousands of attributes cost the parser quadratic time, and
//! WeChat's messages have neither, so both are refused in one linear pass.

/// Largest body accepted (HTTP 413 above it). WeChat's messages are a few hundred bytes; this
/// leaves room for a long typed text, encrypted and base64-encoded (a third longer).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Deepest element nesting accepted. WeChat's deepest message (photos sent from a menu:
/// `xml` › `SendPicsInfo` › `PicList` › `item` › `PicMd5Sum`) nests 5 deep.
pub const MAX_DEPTH: usize = 16;

/// One message or event posted by WeChat (after decryption in safe mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The user's OpenID (`FromUserName`).
    pub from: String,
    /// The account's id (`ToUserName`), echoed back as the reply's sender.
    pub to: String,
    /// `CreateTime`, Unix seconds.
    pub create_time: i64,
    /// What it is.
    pub kind: Kind,
}

/// The kinds of message the assistant distinguishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A typed message.
    Text {
        /// `MsgId`.
        msg_id: i64,
        /// What was typed.
        content: String,
    },
    /// A voice message; `recognition` is WeChat's transcript when speech recognition is on.
    Voice {
        /// `MsgId`.
        msg_id: i64,
        /// `Recognition`, absent or empty when WeChat produced none.
        recognition: Option<String>,
    },
    /// An event (`subscribe`, `unsubscribe`, `CLICK`, …), lower-cased, with its `EventKey`.
    Event {
        /// `Event`, lower-cased.
        event: String,
        /// `EventKey` (menu key for `CLICK`).
        key: Option<String>,
    },
    /// Image, location, link, video …: answered with a short note.
    Other {
        /// `MsgId`, when the message has one.
        msg_id: Option<i64>,
    },
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not XML.
    #[error("the body is not XML: {0}")]
    Syntax(String),
    /// A field every message has is missing or not a number.
    #[error("the message lacks {0}")]
    Missing(&'static str),
    /// Longer than [`MAX_BODY_BYTES`].
    #[error("the body is longer than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("elements nest deeper than {MAX_DEPTH}")]
    TooDeep,
    /// An attribute: WeChat's messages have none.
    #[error("the body has attributes")]
    Attributes,
    /// A DOCTYPE or other declaration: WeChat's messages have none, and entities could expand.
    #[error("the body has a declaration (DOCTYPE, ENTITY)")]
    Declaration,
}

/// Checks in one linear pass, without parsing, that `body` is no larger, deeper or richer than
/// a WeChat message can be. Whatever it lets through is cheap for the parser; it does not
/// check well-formedness (the parser does).
pub fn prescan(body: &str) -> Result<(), XmlError> {
    let bytes = body.as_bytes();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(XmlError::TooLarge);
    }
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(open) = find(bytes, at, b"<") {
        let rest = &bytes[open..];
        let skip_to = |end: &[u8]| find(bytes, open + 1, end).map(|i| i + end.len());
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<!") {
            return Err(XmlError::Declaration);
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else {
            let end = find(bytes, open, b">");
            if let Some(end) = end {
                let tag = &bytes[open + 1..end];
                if tag.contains(&b'=') {
                    return Err(XmlError::Attributes);
                }
                if tag.starts_with(b"/") {
                    depth = depth.saturating_sub(1);
                } else if !tag.ends_with(b"/") {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(XmlError::TooDeep);
                    }
                }
            }
            end.map(|end| end + 1)
        };
        // Something left open: nothing after it is markup, and the parser refuses it.
        let Some(next) = next else { break };
        at = next;
    }
    Ok(())
}

/// Where `needle` first occurs in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// The `Encrypt` field of a safe-mode body, if it has one. Read without the XML parser: it is
/// what `msg_signature` covers, so it is checked before anything of the body is parsed, and
/// base64 needs no XML escaping (the text is taken as it stands, in a CDATA section or not).
pub fn encrypted_field(body: &str) -> Result<Option<String>, XmlError> {
    const OPEN: &str = "<Encrypt>";
    prescan(body)?;
    let Some(start) = body.find(OPEN) else { return Ok(None) };
    let rest = &body[start + OPEN.len()..];
    let end = rest.find("</Encrypt>").ok_or(XmlError::Missing("</Encrypt>"))?;
    let text = rest[..end].trim();
    let text = text.strip_prefix("<![CDATA[").and_then(|t| t.strip_suffix("]]>")).unwrap_or(text);
    Ok(Some(text.to_string()))
}

/// Reads a (decrypted) message.
pub fn parse(body: &str) -> Result<Incoming, XmlError> {
    prescan(body)?;
    let doc = roxmltree::Document::parse(body).map_err(|e| XmlError::Syntax(e.to_string()))?;
    let from = field(&doc, "FromUserName").ok_or(XmlError::Missing("FromUserName"))?;
    let to = field(&doc, "ToUserName").unwrap_or_default();
    let create_time = number(&doc, "CreateTime").ok_or(XmlError::Missing("CreateTime"))?;
    let msg_type = field(&doc, "MsgType").ok_or(XmlError::Missing("MsgType"))?;
    let msg_id = number(&doc, "MsgId");
    let kind = match msg_type.as_str() {
        "text" => Kind::Text {
            msg_id: msg_id.ok_or(XmlError::Missing("MsgId"))?,
            content: field(&doc, "Content").unwrap_or_default(),
        },
        "voice" => Kind::Voice {
            msg_id: msg_id.ok_or(XmlError::Missing("MsgId"))?,
            recognition: field(&doc, "Recognition").filter(|r| !r.trim().is_empty()),
        },
        "event" => Kind::Event {
            event: field(&doc, "Event").unwrap_or_default().to_ascii_lowercase(),
            key: field(&doc, "EventKey").filter(|k| !k.is_empty()),
        },
        _ => Kind::Other { msg_id },
    };
    Ok(Incoming { from, to, create_time, kind })
}

/// The passive text reply to `incoming`.
pub fn text_reply(incoming: &Incoming, now: i64, content: &str) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content>{}</Content></xml>",
        cdata(&incoming.from),
        cdata(&incoming.to),
        cdata(content)
    )
}

/// The safe-mode envelope around an encrypted reply.
pub fn encrypted_reply(encrypt: &str, msg_signature: &str, timestamp: &str, nonce: &str) -> String {
    format!(
        "<xml><Encrypt>{}</Encrypt><MsgSignature>{}</MsgSignature>\
         <TimeStamp>{}</TimeStamp><Nonce>{}</Nonce></xml>",
        cdata(encrypt),
        cdata(msg_signature),
        escape_digits(timestamp),
        cdata(nonce)
    )
}

/// Text as a CDATA section; a `]]>` inside is split across two sections so it cannot end it,
/// and control characters XML does not allow (which a user may have typed) are dropped.
pub fn cdata(text: &str) -> String {
    let allowed: String =
        text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).collect();
    format!("<![CDATA[{}]]>", allowed.replace("]]>", "]]]]><![CDATA[>"))
}

/// A timestamp is echoed from the query: keep only its digits so nothing else reaches the XML.
fn escape_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn field(doc: &roxmltree::Document, name: &str) -> Option<String> {
    let root = doc.root_element();
    let node = root.children().find(|n| n.is_element() && n.has_tag_name(name))?;
    Some(node.children().filter_map(|c| c.text()).collect::<String>())
}

fn number(doc: &roxmltree::Document, name: &str) -> Option<i64> {
    field(doc, name)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_message_is_read() {
        let body = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>";
        let m = parse(body).unwrap();
        assert_eq!(m.from, "oyORnuP8q7ou2gfYjqLzSIWZf0rs");
        assert_eq!(m.to, "gh_10f6c3c3ac5a");
        assert_eq!(m.create_time, 1409735668);
        assert_eq!(m.kind, Kind::Text { msg_id: 6054768590064713728, content: "abcdteT".into() });
    }

    #[test]
    fn voice_events_and_other_types_are_told_apart() {
        let voice = "<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format><Recognition><![CDATA[新申请。]]></Recognition><MsgId>5</MsgId></xml>";
        assert_eq!(
            parse(voice).unwrap().kind,
            Kind::Voice { msg_id: 5, recognition: Some("新申请。".into()) }
        );
        let silent = voice.replace("<![CDATA[新申请。]]>", "");
        assert_eq!(parse(&silent).unwrap().kind, Kind::Voice { msg_id: 5, recognition: None });
        let click = "<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>menu:apply</EventKey></xml>";
        assert_eq!(
            parse(click).unwrap().kind,
            Kind::Event { event: "click".into(), key: Some("menu:apply".into()) }
        );
        let image = "<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>x</PicUrl><MsgId>9</MsgId></xml>";
        assert_eq!(parse(image).unwrap().kind, Kind::Other { msg_id: Some(9) });
        assert!(matches!(parse("<xml><MsgType>text</MsgType></xml>"), Err(XmlError::Missing(_))));
        assert!(matches!(parse("not xml"), Err(XmlError::Syntax(_))));
    }

    #[test]
    fn replies_swap_sender_and_receiver_and_survive_cdata_terminators() {
        let m = Incoming {
            from: "user".into(),
            to: "gh_account".into(),
            create_time: 1,
            kind: Kind::Other { msg_id: None },
        };
        let xml = text_reply(&m, 42, "a]]>b <c>\u{0}");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(field(&doc, "ToUserName").as_deref(), Some("user"));
        assert_eq!(field(&doc, "FromUserName").as_deref(), Some("gh_account"));
        assert_eq!(field(&doc, "Content").as_deref(), Some("a]]>b <c>"));
        assert_eq!(field(&doc, "CreateTime").as_deref(), Some("42"));
    }

    #[test]
    fn deep_nesting_attributes_declarations_and_size_are_refused_before_parsing() {
        let nested = format!("<xml>{}{}</xml>", "<a>".repeat(4000), "</a>".repeat(4000));
        assert_eq!(parse(&nested), Err(XmlError::TooDeep));
        assert_eq!(encrypted_field(&nested), Err(XmlError::TooDeep));
        let attributes: String = (0..40_000).map(|i| format!(" a{i}=\"\"")).collect();
        assert_eq!(prescan(&format!("<xml{attributes}></xml>")), Err(XmlError::TooLarge));
        assert_eq!(
            prescan(&format!("<xml{}></xml>", &attributes[..9000])),
            Err(XmlError::Attributes)
        );
        assert_eq!(prescan("<xml><Content a='1'>x</Content></xml>"), Err(XmlError::Attributes));
        let entity = "<!DOCTYPE x [<!ENTITY a \"b\">]><xml><Content>&a;</Content></xml>";
        assert_eq!(prescan(entity), Err(XmlError::Declaration));
        assert_eq!(prescan(&"x".repeat(MAX_BODY_BYTES + 1)), Err(XmlError::TooLarge));
    }

    #[test]
    fn what_wechat_sends_passes_the_prescan() {
        let deepest = "<?xml version=\"1.0\"?><xml><!-- a <b> c --><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[<a><b><c>=]]></PicMd5Sum></item></PicList></SendPicsInfo><Empty/></xml>";
        assert_eq!(prescan(deepest), Ok(()));
        let closed_deep = format!("<xml>{}</xml>", "<a></a>".repeat(4000));
        assert_eq!(prescan(&closed_deep), Ok(()));
    }

    #[test]
    fn the_envelope_carries_the_encrypted_text() {
        let xml = encrypted_reply("abc+/=", "sig", "1409735669<", "n");
        assert_eq!(encrypted_field(&xml).unwrap().as_deref(), Some("abc+/="));
        let bare = "<xml><ToUserName>gh</ToUserName><Encrypt> abc= </Encrypt></xml>";
        assert_eq!(encrypted_field(bare).unwrap().as_deref(), Some("abc="));
        assert_eq!(encrypted_field("<xml><Content>x</Content></xml>"), Ok(None));
        assert!(encrypted_field("<xml><Encrypt>abc</xml>").is_err());
        assert!(xml.contains("<TimeStamp>1409735669</TimeStamp>"));
    }
}
