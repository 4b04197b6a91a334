"""The default text of the annual work summary (工作总结), as a bureau writes it.

The body is Django template text, one paragraph per line. A line starting with "# " is a heading (the first
heading is the title), "## " a sub-heading; blank lines are left out. What the template may use:

* `bureau` (e.g. 绍兴市科学技术局), `region` (绍兴市), `region_code`, `year`, `next_year`;
* `f.<key>`: a figure by its stable key (`f.new_hnte.value`, `.unit`, `.label`, `.count`), e.g.
  new_hnte, hnte_net_increase, hnte_total, new_tsme, vouchers_issued, vouchers_redeemed, transaction_amount;
* `m.<module>`: the figures of one module (`m.market.figures`, `m.market.name`, `m.market.number`: （三）), `modules`: all of them in
  order, `other_modules`: those the default text below does not word itself (listed generically);
* `targets`: next year's targets (`t.text` reads "新认定国家高新技术企业300家以上"), `t.<indicator code>`;
* `problems`: the officer's 存在问题, one paragraph per line.
"""

DEFAULT_NAME = "默认模板"

DEFAULT_BODY = """\
# {{ bureau }}{{ year }}年工作总结和{{ next_year }}年工作思路
{{ year }}年，{{ bureau }}坚持以科技创新为引领，围绕创新主体培育、科技成果转化和创新服务体系建设，各项工作取得积极成效。现将{{ year }}年工作总结和{{ next_year }}年工作思路报告如下。
# 一、{{ year }}年主要工作
{% if m.enterprises %}## {{ m.enterprises.number }}创新主体不断壮大
{% if f.new_hnte %}全年新认定高新技术企业{{ f.new_hnte.value }}家{% if f.hnte_net_increase %}，净增{{ f.hnte_net_increase.value }}家{% endif %}{% if f.hnte_total %}，总数达{{ f.hnte_total.value }}家{% endif %}{% if f.new_tsme %}；新增省科技型中小企业{{ f.new_tsme.value }}家{% endif %}{% if f.new_enterprise_institutes %}；新增省级企业研究院{{ f.new_enterprise_institutes.value }}家{% endif %}{% if f.new_hnte_rd_centers %}、省级高新技术企业研究开发中心{{ f.new_hnte_rd_centers.value }}家{% endif %}。{% endif %}
{% endif %}{% if m.carriers %}## {{ m.carriers.number }}创新载体提质扩面
{% for x in m.carriers.figures %}{{ x.label }}{{ x.value }}{{ x.unit }}{% if forloop.last %}。{% else %}，{% endif %}{% endfor %}
{% endif %}{% if m.market %}## {{ m.market.number }}科技成果转化加快推进
{% if f.demands %}全年摸排提炼企业技术需求{{ f.demands.value }}项{% endif %}{% if f.achievements %}，征集高校院所科技成果{{ f.achievements.value }}项{% endif %}{% if f.events %}，举办科技对接活动{{ f.events.value }}场{% endif %}{% if f.intents %}，达成意向合作项目{{ f.intents.value }}项{% endif %}{% if f.transaction_amount %}；技术交易额{{ f.transaction_amount.value }}亿元{% endif %}。
{% endif %}{% if m.vouchers %}## {{ m.vouchers.number }}创新券通用通兑扎实推进
{% if f.vouchers_issued %}全年发放创新券{{ f.vouchers_issued.value }}万元{% if f.vouchers_redeemed %}，使用{{ f.vouchers_redeemed.value }}万元{% endif %}，有效降低了企业研发成本。{% endif %}
{% endif %}{% for mod in other_modules %}## {{ mod.number }}{{ mod.name }}
{% for x in mod.figures %}{{ x.label }}{{ x.value }}{{ x.unit }}{% if forloop.last %}。{% else %}，{% endif %}{% endfor %}
{% endfor %}# 二、存在问题
{{ problems }}
# 三、{{ next_year }}年工作思路
{% if targets %}{{ next_year }}年，主要目标是：{% for t in targets %}{{ t.text }}{% if forloop.last %}。{% else %}；{% endif %}{% endfor %}{% else %}（{{ next_year }}年目标尚未下达，请在此填写工作思路。）{% endif %}
"""
