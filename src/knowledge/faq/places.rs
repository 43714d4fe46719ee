//! Places in China other than the supported regions: a question about 北京 or 成都 must not get
//! 攀枝花's or 邵阳's rules as if they applied there.
//!
//! Provinces and prefecture-level cities, written without 省/市 (people rarely type them).
//! Names that are also everyday words or turn up inside 门特 phrases are left out (安康, 白银,
//! 中山, 阿里, 大同, 长治, 来宾; 天门 is inside 每天门诊, 保定 inside 医保定点), and
//! [`Places::new`] drops any name that the FAQ itself uses, so a place the FAQ talks about is
//! never "somewhere else".

use std::collections::HashMap;

/// Provinces and prefecture-level cities (the supported regions' own names are dropped at
/// build time, with their provinces' names: 四川医保 and 湖南 lead to the supported regions).
#[rustfmt::skip]
const PLACES: &[&str] = &[
    // Provinces, municipalities, autonomous regions, SARs.
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "广东", "海南", "贵州", "云南", "陕西", "甘肃",
    "青海", "台湾", "内蒙", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
    // 河北
    "石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "张家口", "承德", "沧州", "廊坊", "衡水",
    // 山西
    "太原", "阳泉", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁",
    // 内蒙古
    "呼和浩特", "包头", "乌海", "赤峰", "通辽", "鄂尔多斯", "呼伦贝尔", "巴彦淖尔", "乌兰察布",
    // 辽宁
    "沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭",
    "葫芦岛",
    // 吉林
    "长春", "四平", "辽源", "通化", "松原", "白城", "延边",
    // 黑龙江
    "哈尔滨", "齐齐哈尔", "鸡西", "鹤岗", "双鸭山", "大庆", "伊春", "佳木斯", "七台河", "牡丹江",
    "黑河", "绥化", "大兴安岭",
    // 江苏
    "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江",
    "泰州", "宿迁",
    // 浙江
    "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水",
    // 安徽
    "合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州", "阜阳",
    "宿州", "六安", "亳州", "池州", "宣城",
    // 福建
    "福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德",
    // 江西
    "南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶",
    // 山东
    "济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂",
    "德州", "聊城", "滨州", "菏泽",
    // 河南
    "郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河",
    "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店",
    // 湖北
    "武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁", "随州",
    "恩施", "仙桃", "潜江",
    // 湖南
    "长沙", "株洲", "湘潭", "衡阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州", "怀化",
    "娄底", "湘西",
    // 广东
    "广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆", "惠州", "梅州",
    "汕尾", "河源", "阳江", "清远", "东莞", "潮州", "揭阳", "云浮",
    // 广西
    "南宁", "柳州", "桂林", "梧州", "北海", "防城港", "钦州", "贵港", "玉林", "百色", "贺州",
    "河池", "崇左",
    // 海南
    "海口", "三亚", "儋州",
    // 四川
    "成都", "自贡", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山", "南充", "眉山", "宜宾",
    "广安", "达州", "雅安", "巴中", "资阳", "阿坝", "甘孜", "凉山", "西昌",
    // 贵州
    "贵阳", "六盘水", "遵义", "安顺", "毕节", "铜仁", "黔东南", "黔南", "黔西南",
    // 云南
    "昆明", "曲靖", "玉溪", "保山", "昭通", "丽江", "普洱", "临沧", "楚雄", "红河", "文山",
    "西双版纳", "大理", "德宏", "怒江", "迪庆",
    // 西藏
    "拉萨", "日喀则", "昌都", "林芝", "山南", "那曲",
    // 陕西
    "西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "商洛",
    // 甘肃
    "兰州", "嘉峪关", "金昌", "天水", "武威", "张掖", "平凉", "酒泉", "庆阳", "定西", "陇南",
    "临夏", "甘南",
    // 青海
    "西宁", "海东", "果洛", "玉树",
    // 宁夏
    "银川", "石嘴山", "吴忠", "固原",
    // 新疆
    "乌鲁木齐", "克拉玛依", "吐鲁番", "哈密", "昌吉", "阿克苏", "喀什", "和田", "伊犁", "塔城",
    "阿勒泰", "石河子",
];

/// Other places, by first character.
#[derive(Debug, Clone, Default)]
pub(super) struct Places {
    by_first: HashMap<char, Vec<&'static str>>,
}

impl Places {
    /// Every place except those that `keep_out` says are words of the supported regions or of
    /// the FAQ itself.
    pub(super) fn new(keep_out: impl Fn(&str) -> bool) -> Places {
        let mut places = Places::default();
        for place in PLACES.iter().copied().filter(|p| !keep_out(p)) {
            if let Some(first) = place.chars().next() {
                places.by_first.entry(first).or_default().push(place);
            }
        }
        places
    }

    /// The first other place named in `text`, if any.
    pub(super) fn named_in(&self, text: &str) -> Option<&'static str> {
        text.char_indices().find_map(|(i, c)| {
            let rest = &text[i..];
            self.by_first.get(&c)?.iter().copied().find(|p| rest.starts_with(*p))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_listed_place_unless_kept_out() {
        let places = Places::new(|p| p == "四川" || p == "湖南");
        assert_eq!(places.named_in("成都能办门特吗"), Some("成都"));
        assert_eq!(places.named_in("我在北京住院"), Some("北京"));
        assert_eq!(places.named_in("四川医保APP"), None);
        assert_eq!(places.named_in("医保定点医院每天门诊"), None, "no place inside 门特 words");
        let without_chengdu = Places::new(|p| p == "成都");
        assert_eq!(without_chengdu.named_in("成都能办门特吗"), None);
    }
}
