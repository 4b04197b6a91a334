from django.core.management.base import BaseCommand, CommandError

from kechuang.demo.generator import DEFAULT_SEED, PUBLIC_SIZES, SIZES, load


class Command(BaseCommand):
    help = "生成确定性的演示数据（单位与各角色用户）；重复运行不会重复写入。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=list(SIZES),
            default="small",
            metavar="{" + ",".join(PUBLIC_SIZES) + "}",
            help="数据规模：small 约2千家单位，medium 约2万，province 约10万（默认 small）",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")

    def handle(self, *args, size, seed, **options):
        try:
            load(size, seed, log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if size != "tiny":
            from kechuang.projects.demo import seed as seed_projects

            seed_projects(log=self.stdout.write)
            from kechuang.reviews.demo import seed as seed_experts

            seed_experts(log=self.stdout.write)
            # After projects: its get_or_create of a 科技型中小企业 expects at most one per enterprise.
            from kechuang.enterprises.demo import seed as seed_enterprises

            seed_enterprises(seed=seed, log=self.stdout.write)
            from kechuang.market.demo import seed as seed_market

            seed_market(seed=seed, log=self.stdout.write)
            from kechuang.vouchers.demo import seed as seed_vouchers

            seed_vouchers(seed=seed, log=self.stdout.write)
            # Carriers before talent: foreign experts go to the carriers' workstations.
            from kechuang.carriers.demo import seed as seed_carriers
            from kechuang.market.demo import demo_registry
            from kechuang.patents.demo import seed as seed_patents
            from kechuang.talent.demo import seed as seed_talent

            registry = demo_registry()  # read once for the three
            seed_carriers(seed=seed, log=self.stdout.write, registry=registry)
            seed_talent(seed=seed, log=self.stdout.write, registry=registry)
            seed_patents(seed=seed, log=self.stdout.write, registry=registry)
            # The portal's policies before the payouts that are made under them.
            from kechuang.payouts.demo import seed as seed_payouts
            from kechuang.portal.demo import seed as seed_portal

            seed_portal(seed=seed, log=self.stdout.write)
            seed_payouts(seed=seed, log=self.stdout.write)
            from kechuang.inquiries.demo import seed as seed_inquiries

            seed_inquiries(seed=seed, log=self.stdout.write)
            from kechuang.targets.demo import seed as seed_targets

            seed_targets(seed=seed, log=self.stdout.write)
