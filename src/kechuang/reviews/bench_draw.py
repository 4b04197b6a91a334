"""Benchmark of the expert draw on synthetic 绍兴-like instances: time, memory, violations, fit.

Run: python -m kechuang.reviews.bench_draw [--cases A,B] [--seed 2024]

Each case runs in a fresh subprocess so that its peak memory (ru_maxrss) is its own. The instance is
generated deterministically from the seed; see docs/draw.md for what it contains.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

from kechuang.reviews.draw import (
    ApplicationProfile,
    ConflictRules,
    ExpertProfile,
    _draw_from_pool,
    build_candidate_pool,
    draw_panels,
    verify,
)

COUNTIES = ("330602", "330603", "330604", "330624", "330681", "330683")
# County weights roughly follow where 绍兴's enterprises are (柯桥, 越城 and 上虞 largest).
COUNTY_WEIGHTS = (3, 3, 2, 1, 2, 1)

# Tech field -> (share of applications/experts, GB/T 4754 codes, topics of ten words each).
FIELDS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    "electronic_information": (
        0.16,
        ("C39", "I65"),
        (
            "集成电路 芯片设计 封装测试 半导体 功率器件 射频 晶圆 光刻 模拟电路 存储器",
            "人工智能 机器学习 深度学习 图像识别 语音识别 知识图谱 大模型 推荐算法 自然语言 计算机视觉",
            "物联网 传感器 无线通信 嵌入式 边缘计算 工业互联网 数据采集 智能终端 低功耗 网关",
            "软件平台 云计算 大数据 数据库 信息安全 区块链 微服务 数字孪生 操作系统 中间件",
        ),
    ),
    "bio_medicine": (
        0.12,
        ("C27", "C35"),
        (
            "抗体药物 单克隆抗体 细胞治疗 基因编辑 疫苗 重组蛋白 免疫治疗 靶点 生物制剂 药效学",
            "中药 中药材 提取工艺 有效成分 质量标准 药理 炮制 复方 道地药材 制剂",
            "医疗器械 体外诊断 检测试剂 影像设备 植入器械 康复器械 手术机器人 微创 生物相容性 监护",
            "化学药 原料药 合成工艺 仿制药 一致性评价 晶型 杂质 制剂工艺 缓释 药代动力学",
        ),
    ),
    "aerospace": (
        0.03,
        ("C37",),
        (
            "无人机 飞控 航电 导航 复合材料机身 旋翼 遥感 通用航空 适航 航空发动机",
            "卫星 北斗 导航定位 星载 姿态控制 遥测 地面站 轨道 载荷 测控",
            "航空零部件 钛合金 高温合金 精密铸造 叶片 起落架 铆接 装配 机加工 涂层",
            "航空材料 碳纤维 树脂基 蜂窝 结构件 疲劳 损伤容限 无损检测 热防护 轻量化",
        ),
    ),
    "new_materials": (
        0.16,
        ("C26", "C28", "C30", "C32"),
        (
            "石墨烯 碳纳米管 纳米材料 导热 导电 涂料 分散 改性 复合 功能膜",
            "高分子材料 聚酯 尼龙 功能纤维 差别化纤维 聚合 纺丝 阻燃 抗菌 生物基",
            "金属材料 铜合金 铝合金 稀土 粉末冶金 热处理 轧制 表面处理 耐腐蚀 高强度",
            "陶瓷材料 玻璃 耐火材料 特种陶瓷 光学材料 磁性材料 电子浆料 陶瓷基板 烧结 晶体",
        ),
    ),
    "high_tech_services": (
        0.08,
        ("M73", "M75", "I65"),
        (
            "检验检测 计量 认证 标准物质 分析测试 第三方检测 实验室 能力验证 检测方法 质量控制",
            "研发设计 工业设计 创意设计 服装设计 产品设计 三维建模 仿真 设计服务 样机 外观",
            "技术转移 成果转化 知识产权 专利运营 技术经纪 孵化 科技金融 评估 技术交易 咨询",
            "电子商务 供应链 物流 平台经济 直播 跨境电商 数字营销 支付 客户管理 数据服务",
        ),
    ),
    "new_energy": (
        0.12,
        ("C38", "D44"),
        (
            "锂离子电池 正极材料 负极材料 电解液 隔膜 固态电池 电池管理 电芯 储能系统 钠离子",
            "光伏组件 太阳能电池 逆变器 异质结 硅片 光伏电站 分布式光伏 钙钛矿 组件封装 跟踪支架",
            "节能 余热回收 变频 高效电机 热泵 能效 电能质量 智能电网 照明 节能改造",
            "氢能 燃料电池 电解水 储氢 加氢站 风电 风机 生物质能 新能源汽车 充电桩",
        ),
    ),
    "resources_environment": (
        0.13,
        ("N77", "C17", "C42"),
        (
            "印染废水 污水处理 膜分离 生化处理 深度处理 中水回用 脱色 污泥 厌氧 高级氧化",
            "废气治理 挥发性有机物 脱硫 脱硝 除尘 恶臭 催化燃烧 吸附 在线监测 排放",
            "固废处置 资源化 再生利用 危险废物 垃圾分类 焚烧 填埋 回收 循环经济 减量化",
            "土壤修复 地下水 生态修复 河道治理 水环境 重金属 面源污染 湿地 监测预警 农村环境",
        ),
    ),
    "advanced_manufacturing": (
        0.20,
        ("C34", "C35", "C17", "C40"),
        (
            "工业机器人 伺服电机 减速器 运动控制 机器视觉 协作机器人 末端执行器 自动化产线 视觉检测 上下料",
            "数控机床 精密加工 五轴 主轴 刀具 磨削 加工中心 激光加工 增材制造 模具",
            "纺织机械 织机 喷气织机 经编 印染设备 定型机 智能纺纱 针织 无梭织机 自动络筒",
            "轴承 齿轮 液压 气动 阀门 泵 密封 传动 电机 铸锻件",
        ),
    ),
}
TEXTILE_CODES = ("C17", "C18")  # 绍兴's signature industry: some experts and applicants list it anyway
GENERIC = "关键技术 研究开发 产业化 智能化 绿色 高效 低成本 国产化 示范应用 工艺优化".split()
FIELD_NAMES = tuple(FIELDS)
FIELD_SHARES = tuple(FIELDS[f][0] for f in FIELD_NAMES)


@dataclass
class Instance:
    applications: list[ApplicationProfile]
    experts: list[ExpertProfile]
    rules: ConflictRules


def _pick_words(rnd: random.Random, field: str, topic: int, n: int) -> list[str]:
    topics = FIELDS[field][2]
    words: dict[str, None] = {}
    while len(words) < n:
        r = rnd.random()
        if r < 0.70:
            pool = topics[topic].split()
        elif r < 0.90:
            pool = topics[rnd.randrange(len(topics))].split()
        else:
            other = FIELDS[rnd.choice(FIELD_NAMES)][2]
            pool = other[rnd.randrange(len(other))].split()
        # Zipf-like: the first words of a topic are the common ones.
        words[pool[min(int(rnd.paretovariate(1.0)) - 1, len(pool) - 1)]] = None
    return list(words)


def _region(rnd: random.Random) -> str:
    county = rnd.choices(COUNTIES, COUNTY_WEIGHTS)[0]
    return county if rnd.random() < 0.3 else f"{county}L{rnd.randint(1, 12):02d}"


def generate(n_applications: int, n_experts: int, *, seed: int) -> Instance:
    """A deterministic synthetic instance: organizations in groups, experts, applications, conflicts."""
    rnd = random.Random(seed)
    next_org = 1
    groups: dict[int, frozenset[int]] = {}
    org_region: dict[int, str] = {}

    def family(n_children: int) -> list[int]:
        nonlocal next_org
        parent = next_org
        children = list(range(parent + 1, parent + 1 + n_children))
        next_org += 1 + n_children
        region = _region(rnd)
        groups[parent] = frozenset([parent, *children])
        org_region[parent] = region
        for c in children:
            groups[c] = frozenset([c, parent])
            org_region[c] = region if rnd.random() < 0.6 else _region(rnd)
        return [parent, *children]

    # Universities and institutes (with their colleges), and enterprises (a fifth of them in groups).
    institution_units = [u for _ in range(40) for u in family(rnd.randint(2, 6))[1:]]
    enterprises: list[int] = []
    while len(enterprises) < max(2000, n_applications // 2):
        enterprises.extend(family(rnd.randint(2, 4)) if rnd.random() < 0.2 else family(0))
    expert_enterprises = enterprises[: len(enterprises) // 2]

    experts = []
    for i in range(n_experts):
        field = rnd.choices(FIELD_NAMES, FIELD_SHARES)[0]
        topic = rnd.randrange(4)
        org = rnd.choice(institution_units) if rnd.random() < 0.6 else rnd.choice(expert_enterprises)
        codes = {field, *rnd.sample(FIELDS[field][1], rnd.randint(1, len(FIELDS[field][1])))}
        if rnd.random() < 0.2:
            second = rnd.choices(FIELD_NAMES, FIELD_SHARES)[0]
            codes |= {second, rnd.choice(FIELDS[second][1])}
        if rnd.random() < 0.05:
            codes.add(rnd.choice(TEXTILE_CODES))
        words = _pick_words(rnd, field, topic, rnd.randint(6, 10))
        text = (
            f"研究方向：{'、'.join(words[:3])}。长期从事{words[-1]}与{rnd.choice(GENERIC)}工作，"
            f"主持{'、'.join(words[3:])}等项目，熟悉{rnd.choice(GENERIC)}。"
        )
        region = org_region[org] if rnd.random() < 0.8 else _region(rnd)
        experts.append(ExpertProfile(i + 1, groups[org], region, frozenset(codes), text, rnd.randint(5, 10)))

    applicants = enterprises + institution_units
    applications = []
    for j in range(n_applications):
        field = rnd.choices(FIELD_NAMES, FIELD_SHARES)[0]
        topic = rnd.randrange(4)
        org = rnd.choice(enterprises) if rnd.random() < 0.9 else rnd.choice(institution_units)
        codes = {field, rnd.choice(FIELDS[field][1])}
        words = _pick_words(rnd, field, topic, rnd.randint(5, 8))
        text = (
            f"基于{words[0]}的{words[1]}{rnd.choice(GENERIC)}。本项目针对{'、'.join(words[2:])}等难题，"
            f"开展{rnd.choice(GENERIC)}，形成{words[0]}{rnd.choice(GENERIC)}能力。"
        )
        applications.append(
            ApplicationProfile(100_000 + j, groups[org], org_region[org], frozenset(codes), text)
        )

    declared, collaborations = set(), set()
    for e in experts:
        if rnd.random() < 0.05:
            declared |= {(e.id, rnd.choice(applicants)) for _ in range(rnd.randint(1, 3))}
        if rnd.random() < 0.10:
            collaborations |= {(e.id, rnd.choice(applicants)) for _ in range(rnd.randint(1, 3))}
    rules = ConflictRules(frozenset(declared), frozenset(collaborations), avoid_applicant_region=True)
    return Instance(applications, experts, rules)


def run_case(n_applications: int, n_experts: int, *, k: int, q: float, seed: int) -> dict:
    """Time the randomized draw from scratch, then compare fits with the other methods on its pool."""
    instance = generate(n_applications, n_experts, seed=seed)
    apps, experts, rules = instance.applications, instance.experts, instance.rules
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    pool, fits = build_candidate_pool(apps, experts, rules=rules, seed=seed)
    t1 = time.perf_counter()
    # What draw_panels does after building the pool (a replay would also re-check the pool's conflicts).
    randomized = _draw_from_pool(
        sorted(apps, key=lambda a: a.id),
        sorted(experts, key=lambda e: e.id),
        pool,
        fits,
        k=k,
        q=q,
        seed=seed,
        method="randomized",
    )
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    violations = verify(randomized, apps, experts, rules, k)
    t3 = time.perf_counter()
    deterministic = draw_panels(
        apps,
        experts,
        k=k,
        q=1.0,
        seed=seed,
        rules=rules,
        method="deterministic",
        candidate_pool=pool,
        candidate_fit=fits,
    )
    t4 = time.perf_counter()
    uniform = draw_panels(
        apps,
        experts,
        k=k,
        q=q,
        seed=seed,
        rules=rules,
        method="uniform",
        candidate_pool=pool,
        candidate_fit=fits,
    )
    t5 = time.perf_counter()
    other_violations = len(verify(deterministic, apps, experts, rules, k)) + len(
        verify(uniform, apps, experts, rules, k)
    )
    best = deterministic.realized_fit
    return {
        "case": f"{n_applications:,} × {n_experts:,}",
        "k": k,
        "q": q,
        "pairs": sum(len(p) for p in pool.values()),
        "pool_s": t1 - t0,
        "draw_s": t2 - t1,
        "total_s": t2 - t0,
        "verify_s": t3 - t2,
        "deterministic_s": t4 - t3,
        "uniform_s": t5 - t4,
        "rss_before_mb": rss_before,
        "peak_mb": peak,
        "violations": len(violations),
        "other_violations": other_violations,
        "shortfalls": [len(randomized.shortfalls), len(deterministic.shortfalls), len(uniform.shortfalls)],
        "max_probability": max(
            (p for ps in randomized.candidate_probability.values() for p in ps), default=0.0
        ),
        "fit_deterministic": best,
        "fit_expected": randomized.expected_fit,
        "fit_realized": randomized.realized_fit,
        "fit_uniform": uniform.realized_fit,
        "share_expected": randomized.expected_fit / best,
        "share_realized": randomized.realized_fit / best,
        "share_uniform": uniform.realized_fit / best,
    }


CASES = {"A": (2000, 10_000), "B": (10_000, 10_000)}


def _table(rows: list[dict]) -> str:
    lines = [
        "| case | k | q | pool pairs | pool s | draw s | total s | peak RSS MB | violations | shortfalls r/d/u "
        "| max P | randomized / optimum (expected) | randomized / optimum (realized) | uniform / optimum |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['k']} | {r['q']:g} | {r['pairs']:,} | {r['pool_s']:.1f} | {r['draw_s']:.1f} "
            f"| {r['total_s']:.1f} | {r['peak_mb']:.0f} | {r['violations']} + {r['other_violations']} "
            f"| {'/'.join(map(str, r['shortfalls']))} | {r['max_probability']:.2f} "
            f"| {r['share_expected']:.1%} | {r['share_realized']:.1%} | {r['share_uniform']:.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="A,B", help="comma-separated: A = 2,000×10,000, B = 10,000×10,000")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--q", type=float, default=0.5)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        n_apps, n_experts = CASES[args.one]
        print(json.dumps(run_case(n_apps, n_experts, k=args.k, q=args.q, seed=args.seed)))
        return
    rows = []
    load_before = os.getloadavg()[0]
    for name in args.cases.split(","):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "kechuang.reviews.bench_draw",
                "--one",
                name,
                "--seed",
                str(args.seed),
                "--k",
                str(args.k),
                "--q",
                str(args.q),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['case']}: pool {row['pool_s']:.2f}s, draw {row['draw_s']:.2f}s, verify {row['verify_s']:.2f}s, "
            f"deterministic {row['deterministic_s']:.2f}s, uniform {row['uniform_s']:.2f}s, "
            f"RSS before draw {row['rss_before_mb']:.0f} MB, fits d/e/r/u = {row['fit_deterministic']:.1f}/"
            f"{row['fit_expected']:.1f}/{row['fit_realized']:.1f}/{row['fit_uniform']:.1f}",
            flush=True,
        )
    print(
        f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print()
    print(_table(rows))


if __name__ == "__main__":
    main()
