"""Serializers of the REST API for stakeholder groups and the people
directory. They validate and shape data only; the services write (SCOPE-4,
TENANT-1)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from stakeholders.models import Person, StakeholderGroup

User = get_user_model()


class StakeholderGroupSerializer(serializers.ModelSerializer):
    """SCOPE-4: whether a group is affected directly or indirectly, and
    whether its members take part as professionals; SCOPE-3: how it may be
    affected. `affected` and `impact` are required when creating a group."""

    may_be_negatively_affected = serializers.BooleanField(read_only=True)

    class Meta:
        model = StakeholderGroup
        fields = [
            "id",
            "name",
            "description",
            "affected",
            "impact",
            "is_professional",
            "may_be_negatively_affected",
            "created_at",
        ]
        read_only_fields = ["id", "may_be_negatively_affected", "created_at"]


class PersonSerializer(serializers.ModelSerializer):
    """Someone in the directory. `user` optionally links an account, which
    must belong to a member of this organisation (TENANT-1): any other id is
    'does not exist', whether or not it exists elsewhere."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Choose a member of this organisation."},
        help_text="The id of a member's account, if this person has one.",
    )

    class Meta:
        model = Person
        fields = ["id", "name", "email", "phone", "user", "access_needs", "created_at"]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args: Any, users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["user"].queryset = users


class PersonSearchSerializer(serializers.Serializer):
    search = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Part of a name or email address."
    )
