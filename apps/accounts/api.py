"""The accounts API: token sign-in and sign-out, and the personal-data export."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.authentication import TokenAuthentication
from apps.accounts.throttling import TokenCreateAddressThrottle, TokenCreateLoginThrottle


class TokenCreateInput(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Username or email address.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100, help_text="What the token is for, e.g. the script or machine."
    )


class TokenCreateOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class EmailNotVerified(exceptions.PermissionDenied):
    default_detail = (
        "Verify your email address before creating API tokens: follow the link in the email we "
        "sent you, or ask for a new one on the settings page."
    )
    default_code = "email_not_verified"


class TokenConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "token_limit"


class TokenView(APIView):
    """POST: a new named token for a username/email and password. DELETE: revoke the token used."""

    authentication_classes = [TokenAuthentication]

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [TokenCreateAddressThrottle(), TokenCreateLoginThrottle()]
        return []

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenCreateInput,
        responses={
            201: TokenCreateOutput,
            400: OpenApiResponse(description="A field is missing or too long: {field: [messages]}"),
            401: OpenApiResponse(DetailOutput, description="The username or password is wrong."),
            403: OpenApiResponse(DetailOutput, description="The email is not verified yet."),
            409: OpenApiResponse(DetailOutput, description="The account has too many tokens."),
            429: OpenApiResponse(DetailOutput, description="Too many attempts; see Retry-After."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("The username/email or password is not right.")
        if not selectors.user_has_verified_email(user=user):
            raise EmailNotVerified()
        try:
            token, key = services.api_token_create(user=user, name=data.validated_data["name"])
        except services.TokenLimitReached as error:
            raise TokenConflict(str(error)) from None
        except services.AccountError as error:
            raise exceptions.ValidationError({"name": [str(error)]}) from None
        response = Response(
            TokenCreateOutput({"token": key, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        operation_id="auth_token_revoke",
        request=None,
        responses={
            204: OpenApiResponse(description="The token used for this request is revoked."),
            401: OpenApiResponse(DetailOutput, description="No valid token was sent."),
        },
    )
    def delete(self, request: Request) -> Response:
        auth_token = request.auth
        if not isinstance(auth_token, AuthToken):
            raise exceptions.NotAuthenticated()
        services.api_token_revoke_used(auth_token=auth_token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    """All of the signed-in user's own data as JSON."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_export",
        responses={
            200: inline_serializer(
                "PersonalExport",
                {
                    "format": serializers.CharField(),
                    "exported_at": serializers.DateTimeField(),
                    "account": serializers.DictField(),
                },
            ),
            401: OpenApiResponse(DetailOutput, description="Not signed in."),
        },
    )
    def get(self, request: Request) -> Response:
        response = Response(selectors.user_export(user=request.user))
        response["Cache-Control"] = "no-store, private"
        response["Content-Disposition"] = 'attachment; filename="my-roadmap-data.json"'
        return response
