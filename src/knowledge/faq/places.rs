//! Places in China other than the supported regions: a question about 北京 or 成都 must not get
//! 攀枝花's or 邵阳's rules as if they applied there.
//!
//! The names are data (`other_places:` in `faq/synonyms.yaml`, provinces and prefecture-level
//! cities without 省/市); [`Places::new`] drops any name that the FAQ itself uses, so a place the
//! FAQ talks about is never "somewhere else".

use std::collections::HashMap;

/// Other places, by first character.
#[derive(Debug, Clone, Default)]
pub(super) struct Places {
    by_first: HashMap<char, Vec<String>>,
}

impl Places {
    /// Every place except those that `keep_out` says are words of the supported regions or of
    /// the FAQ itself.
    pub(super) fn new<'a>(
        names: impl IntoIterator<Item = &'a String>,
        keep_out: impl Fn(&str) -> bool,
    ) -> Places {
        let mut places = Places::default();
        for place in names.into_iter().filter(|p| !keep_out(p)) {
            if let Some(first) = place.chars().next() {
                places.by_first.entry(first).or_default().push(place.clone());
            }
        }
        places
    }

    /// The first other place named in `text`, if any.
    pub(super) fn named_in(&self, text: &str) -> Option<&str> {
        text.char_indices().find_map(|(i, c)| {
            let rest = &text[i..];
            self.by_first.get(&c)?.iter().find(|p| rest.starts_with(p.as_str())).map(String::as_str)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_listed_place_unless_kept_out() {
        let names: Vec<String> =
            ["北京", "成都", "四川", "湖南", "天门"].iter().map(|s| s.to_string()).collect();
        let places = Places::new(&names, |p| p == "四川" || p == "湖南");
        assert_eq!(places.named_in("成都能办门特吗"), Some("成都"));
        assert_eq!(places.named_in("我在北京住院"), Some("北京"));
        assert_eq!(places.named_in("四川医保APP"), None);
        let without_chengdu = Places::new(&names, |p| p == "成都");
        assert_eq!(without_chengdu.named_in("成都能办门特吗"), None);
    }
}
