from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.models import Notification
from kechuang.core.views import act_and_redirect, render_denied

from .enums import MembershipStatus
from .forms import ApiTokenForm, LoginForm, MembershipDecisionForm, RegistrationForm
from .models import ApiToken, User
from .services import (
    api_token_create,
    api_token_revoke,
    membership_decide,
    sessions_end_everywhere,
    user_register,
)
from .workbench import tiles_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:workbench")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = perform(
            form,
            lambda: user_register(
                username=data["username"],
                password=data["password1"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                credit_code=data["credit_code"],
                organization_data=form.organization_data(),
            ),
        )
        if user is not None:
            if user.membership_status == MembershipStatus.PENDING:
                text = _("注册成功。您的加入申请已提交，待本单位管理员审核通过后即可代表单位办理业务。")
            else:
                text = _("注册成功。单位信息已提交，待属地科技局核验。请登录。")
            messages.success(request, text)
            return redirect("accounts:login")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def workbench(request):
    user = request.user
    notifications = Notification.objects.filter(recipient=user, read_at__isnull=True)[:10]
    return render(
        request,
        "accounts/workbench.html",
        {
            "tiles": tiles_for(user),
            "notifications": notifications,
        },
    )


@login_required
@require_POST
def notifications_mark_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("accounts:workbench")


@login_required
def members(request):
    user = request.user
    if not (user.is_org_admin and user.active_organization_id):
        return render_denied(request, _("只有本单位管理员可以审核单位成员。"))
    people = User.objects.filter(organization_id=user.organization_id).order_by(
        "membership_status", "username"
    )
    return render(
        request, "accounts/members.html", {"people": people, "decision_form": MembershipDecisionForm()}
    )


@login_required
@require_POST
def member_decide(request, pk):
    member = get_object_or_404(User, pk=pk)
    form = MembershipDecisionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: membership_decide(
            member=member,
            by=request.user,
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
        ),
        success=lambda done: _("已处理 %(name)s 的申请。") % {"name": done},
        to="accounts:members",
    )


@login_required
def security(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form})


@login_required
@require_POST
def logout_everywhere(request):
    sessions_end_everywhere(user=request.user)
    messages.success(request, _("已在所有设备上退出登录。"))
    return redirect("accounts:login")


@login_required
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        result = perform(form, lambda: api_token_create(user=request.user, name=form.cleaned_data["name"]))
        if result is not None:
            raw = result[1]
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "raw_token": raw,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")
