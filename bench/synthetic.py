"""Synthetic but realistic Chinese content for benchmarks: a region tree and N pages of all kinds."""

import random
import uuid

PROVINCES = ["山西省", "贵州省", "安徽省", "山东省", "浙江省", "四川省"]
CITY_WORDS = ["长治", "遵义", "安顺", "合肥", "济南", "太原", "临沂", "绵阳", "湖州", "铜仁"]
DISTRICT_WORDS = ["上党", "新蒲", "迎泽", "包河", "莱芜", "蜀山", "西湖", "涪城", "吴兴", "碧江"]
STREET_WORDS = ["老军营", "凤城", "新蒲", "韩店", "大圩", "府后", "长乐", "学苑", "西兴", "青松", "桃园", "和平"]
COMMUNITY_WORDS = [
    "劲松",
    "六角井",
    "戴花园",
    "西关",
    "新东方",
    "金葡萄",
    "朝阳",
    "幸福",
    "光明",
    "红旗",
    "东风",
    "建设",
]
PRACTICES = [
    "群众点单、社区派单、党员接单",
    "红色物业",
    "双报到",
    "三张清单",
    "两标三牌",
    "一脉四通",
    "1+3+N议事协调机制",
    "小巷议事会",
    "党建微帮站",
    "城市共建日",
    "十联户",
    "红色议事日",
]
THEMES = ["减负", "清单", "证明", "牌子", "物业", "网格", "议事", "志愿服务", "智慧社区"]
SENTENCES = [
    "社区党组织牵头，把小区党支部建到网格上，推动党员到社区报到服务。",
    "街道统筹职能部门梳理社区工作事项，清单以外的任务一律实行准入。",
    "物业服务企业与社区签订共建协议，每年认领社区党建服务项目。",
    "居民通过小程序反映诉求，网格员当天派单，党员志愿者接单办理。",
    "社区门外只保留两标三牌，其余机制牌子移入室内整合上墙。",
    "不再由社区出具的证明事项，改由相关部门通过数据共享核验。",
    "联席会议每季度召开一次，协调解决停车、加装电梯和垃圾分类等难题。",
    "志愿服务队开展义诊、理发、法律咨询等活动，服务居民上千人次。",
]
CERTIFICATES = [
    ("居住证明", "到居住地派出所办理居住登记或居住证"),
    ("死亡证明", "由医疗卫生机构出具；非正常死亡由公安机关出具"),
    ("亲属关系证明", "凭户口簿或到派出所开具"),
    ("出生证明", "由助产机构出具出生医学证明"),
    ("婚姻状况证明", "签署告知承诺书"),
    ("无犯罪记录证明", "向公安机关申请"),
    ("失业证明", "到公共就业服务机构办理"),
]


def region_tree(communities=400, seed=7):
    """Nested regions (provinces → cities → districts → streets → communities) with ~`communities` leaves."""
    rng = random.Random(seed)
    tree, count, n = [], 0, 0
    for p, province in enumerate(PROVINCES):
        pnode = {"name": province, "slug": f"p{p}", "level": "省", "children": []}
        tree.append(pnode)
        for c in range(2):
            n += 1
            cnode = {"name": f"{rng.choice(CITY_WORDS)}市{n}", "slug": f"p{p}c{c}", "level": "市", "children": []}
            pnode["children"].append(cnode)
            for d in range(3):
                dnode = {
                    "name": f"{rng.choice(DISTRICT_WORDS)}区{n}{d}",
                    "slug": f"p{p}c{c}d{d}",
                    "level": "区县",
                    "children": [],
                }
                cnode["children"].append(dnode)
                for s in range(3):
                    snode = {
                        "name": f"{rng.choice(STREET_WORDS)}街道{n}{d}{s}",
                        "slug": f"p{p}c{c}d{d}s{s}",
                        "level": "街道乡镇",
                        "children": [],
                    }
                    dnode["children"].append(snode)
                    for k in range(max(1, communities // 108)):
                        count += 1
                        snode["children"].append(
                            {
                                "name": f"{rng.choice(COMMUNITY_WORDS)}社区{count}",
                                "slug": f"p{p}c{c}d{d}s{s}k{k}",
                                "level": "社区",
                            }
                        )
    return tree


def leaves(tree, level):
    out = []
    for node in tree:
        if node["level"] == level:
            out.append(node["slug"])
        out += leaves(node.get("children", []), level)
    return out


def page_entries(pages, tree, seed=11):
    """Portable dicts (as load/export use them) for `pages` items: 70 % cases, 20 % lists, 10 % notices."""
    rng = random.Random(seed)
    districts, communities = leaves(tree, "区县"), leaves(tree, "社区")
    cases, lists, notices = [], [], []
    for i in range(pages):
        kind = "case" if i % 10 < 7 else ("list" if i % 10 < 9 else "notice")
        ident = str(uuid.UUID(int=rng.getrandbits(128)))
        if kind == "case":
            region = rng.choice(districts)
            body = []
            for h in range(3):
                body.append({"type": "heading", "value": f"第{h + 1}部分：{rng.choice(PRACTICES)}"})
                body += [{"type": "paragraph", "value": "".join(rng.sample(SENTENCES, 3))} for _ in range(2)]
            cases.append(
                {
                    "meta": {
                        "id": ident,
                        "slug": f"case-{i:05d}",
                        "title": f"{region}：推行“{rng.choice(PRACTICES)}”第{i}例",
                        "region": region,
                        "communities": rng.sample(communities, 2),
                        "themes": rng.sample(THEMES, 3),
                        "summary": "".join(rng.sample(SENTENCES, 2)),
                        "practices": [
                            {"name": p, "description": rng.choice(SENTENCES)} for p in rng.sample(PRACTICES, 2)
                        ],
                        "key_figures": [
                            {"label": "小区党支部", "value": rng.randint(10, 900), "unit": "个"},
                            {
                                "label": "证明事项",
                                "value": rng.randint(5, 60),
                                "unit": "项",
                                "before": rng.randint(61, 120),
                            },
                        ],
                        "source": {
                            "publisher": "中国城市报",
                            "date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        },
                    },
                    "blocks": body,
                }
            )
        elif kind == "list":
            items = []
            for n in range(1, 31):
                name, alternative = rng.choice(CERTIFICATES)
                items.append(
                    {
                        "number": n,
                        "category": rng.choice(["户籍", "社保", "婚育", "其他"]),
                        "name": f"{name}{n}",
                        "alternative_kind": "other_body",
                        "alternative": alternative,
                        "basis": [{"text": "民发〔2020〕20号"}],
                    }
                )
            lists.append(
                {
                    "meta": {
                        "id": ident,
                        "slug": f"list-{i:05d}",
                        "title": f"社区不再出具证明事项清单（第{i}号）",
                        "list_kind": "certificates_cancelled",
                        "region": rng.choice(districts),
                        "scope": "all",
                        "version_label": "2024版",
                        "items": items,
                        "disclosure": {"publisher": "区民政局"},
                    },
                    "text": rng.choice(SENTENCES),
                }
            )
        else:
            notices.append(
                {
                    "meta": {
                        "id": ident,
                        "slug": f"notice-{i:05d}",
                        "title": f"社区“两标三牌”清理情况公示（第{i}号）",
                        "community": rng.choice(communities),
                        "date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        "round": "first",
                        "counts": {"before": 20, "removed": 15, "after": 5},
                        "retained_signs": [
                            {"kind": "emblem", "text": "中国共产党党徽"},
                            {"kind": "plaque", "text": "社区居民委员会"},
                        ],
                    },
                    "blocks": [{"type": "paragraph", "value": "".join(rng.sample(SENTENCES, 3))}],
                }
            )
    return cases, lists, notices
