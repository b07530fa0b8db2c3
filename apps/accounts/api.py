"""The accounts API: token sign-in and sign-out, and the personal-data export."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.authentication import TokenAuthentication
from apps.accounts.throttling import TokenCreateAddressThrottle, TokenCreateLoginThrottle
from roadmap_site.api_errors import INVALID, LIMITED, UNAUTHENTICATED, ErrorSerializer
from roadmap_site.limits import API_TOKEN_NAME


class TokenCreateInput(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Username or email address.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(
        help_text="What the token is for, e.g. the script or machine.",
        **API_TOKEN_NAME.form_kwargs(),
    )


class TokenCreateOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """POST: a new named token for a username/email and password. DELETE: revoke the token used."""

    authentication_classes = [TokenAuthentication]

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [TokenCreateAddressThrottle(), TokenCreateLoginThrottle()]
        return []

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenCreateInput,
        responses={
            201: TokenCreateOutput,
            **INVALID,
            401: OpenApiResponse(ErrorSerializer, description="The username or password is wrong."),
            403: OpenApiResponse(
                ErrorSerializer, description="The email is not verified yet (email_not_verified)."
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="The account has too many tokens (token_limit)."
            ),
            **LIMITED,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = selectors.user_by_credentials(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise exceptions.AuthenticationFailed("The username/email or password is not right.")
        token, key = services.api_token_issue(user=user, name=data.validated_data["name"])
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
            401: OpenApiResponse(ErrorSerializer, description="No valid token was sent."),
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
            **UNAUTHENTICATED,
        },
    )
    def get(self, request: Request) -> Response:
        response = Response(selectors.user_export(user=selectors.signed_in_user(request)))
        response["Cache-Control"] = "no-store, private"
        response["Content-Disposition"] = 'attachment; filename="my-roadmap-data.json"'
        return response
