"""factory_boy factories for the whole suite."""

from __future__ import annotations

import factory
from django.conf import settings

from blocs.models import Bloc, BlocYear, Membership, MemberUnit, Province, User


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province

    name = factory.Sequence(lambda n: f"Tỉnh thử {n}")


class MemberUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberUnit

    full_name = factory.Sequence(lambda n: f"Ban Quản lý các khu công nghiệp số {n}")
    short_name = factory.Sequence(lambda n: f"BQL số {n}")
    province = factory.SubFactory(ProvinceFactory)


class BlocFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bloc

    name = factory.Sequence(lambda n: f"Khối thi đua thử nghiệm {n}")
    symbol = factory.Sequence(lambda n: f"KTĐ{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    bloc = factory.SubFactory(BlocFactory)
    unit = factory.SubFactory(MemberUnitFactory)
    from_year = 2017


class BlocYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlocYear

    bloc = factory.SubFactory(BlocFactory)
    year = 2022
    status = BlocYear.Status.ACTIVE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@khoiportal.test")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
