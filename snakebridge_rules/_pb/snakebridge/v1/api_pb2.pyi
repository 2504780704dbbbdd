from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Source(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_UNSPECIFIED: _ClassVar[Source]
    STUB: _ClassVar[Source]
    SOURCE: _ClassVar[Source]
    RUNTIME: _ClassVar[Source]
    DOCSTRING: _ClassVar[Source]
SOURCE_UNSPECIFIED: Source
STUB: Source
SOURCE: Source
RUNTIME: Source
DOCSTRING: Source

class ApiSurface(_message.Message):
    __slots__ = ("library", "elixir_module", "modules")
    LIBRARY_FIELD_NUMBER: _ClassVar[int]
    ELIXIR_MODULE_FIELD_NUMBER: _ClassVar[int]
    MODULES_FIELD_NUMBER: _ClassVar[int]
    library: str
    elixir_module: str
    modules: _containers.RepeatedCompositeFieldContainer[ModuleSurface]
    def __init__(self, library: _Optional[str] = ..., elixir_module: _Optional[str] = ..., modules: _Optional[_Iterable[_Union[ModuleSurface, _Mapping]]] = ...) -> None: ...

class ModuleSurface(_message.Message):
    __slots__ = ("elixir_module", "python_module", "qualname", "is_class", "doc", "doc_source", "members", "converted", "is_instance")
    ELIXIR_MODULE_FIELD_NUMBER: _ClassVar[int]
    PYTHON_MODULE_FIELD_NUMBER: _ClassVar[int]
    QUALNAME_FIELD_NUMBER: _ClassVar[int]
    IS_CLASS_FIELD_NUMBER: _ClassVar[int]
    DOC_FIELD_NUMBER: _ClassVar[int]
    DOC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    CONVERTED_FIELD_NUMBER: _ClassVar[int]
    IS_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    elixir_module: str
    python_module: str
    qualname: str
    is_class: bool
    doc: str
    doc_source: Source
    members: _containers.RepeatedCompositeFieldContainer[Member]
    converted: bool
    is_instance: bool
    def __init__(self, elixir_module: _Optional[str] = ..., python_module: _Optional[str] = ..., qualname: _Optional[str] = ..., is_class: _Optional[bool] = ..., doc: _Optional[str] = ..., doc_source: _Optional[_Union[Source, str]] = ..., members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., converted: _Optional[bool] = ..., is_instance: _Optional[bool] = ...) -> None: ...

class Member(_message.Message):
    __slots__ = ("python_name", "elixir_name", "kind", "parameters", "return_annotation", "signature_source", "doc", "doc_source", "arities")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Member.Kind]
        FUNCTION: _ClassVar[Member.Kind]
        CLASS: _ClassVar[Member.Kind]
        METHOD: _ClassVar[Member.Kind]
        STATIC_METHOD: _ClassVar[Member.Kind]
        CLASS_METHOD: _ClassVar[Member.Kind]
        PROPERTY: _ClassVar[Member.Kind]
        ATTRIBUTE: _ClassVar[Member.Kind]
        SUBMODULE: _ClassVar[Member.Kind]
    KIND_UNSPECIFIED: Member.Kind
    FUNCTION: Member.Kind
    CLASS: Member.Kind
    METHOD: Member.Kind
    STATIC_METHOD: Member.Kind
    CLASS_METHOD: Member.Kind
    PROPERTY: Member.Kind
    ATTRIBUTE: Member.Kind
    SUBMODULE: Member.Kind
    PYTHON_NAME_FIELD_NUMBER: _ClassVar[int]
    ELIXIR_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    RETURN_ANNOTATION_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    DOC_FIELD_NUMBER: _ClassVar[int]
    DOC_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ARITIES_FIELD_NUMBER: _ClassVar[int]
    python_name: str
    elixir_name: str
    kind: Member.Kind
    parameters: _containers.RepeatedCompositeFieldContainer[Parameter]
    return_annotation: str
    signature_source: Source
    doc: str
    doc_source: Source
    arities: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, python_name: _Optional[str] = ..., elixir_name: _Optional[str] = ..., kind: _Optional[_Union[Member.Kind, str]] = ..., parameters: _Optional[_Iterable[_Union[Parameter, _Mapping]]] = ..., return_annotation: _Optional[str] = ..., signature_source: _Optional[_Union[Source, str]] = ..., doc: _Optional[str] = ..., doc_source: _Optional[_Union[Source, str]] = ..., arities: _Optional[_Iterable[int]] = ...) -> None: ...

class Parameter(_message.Message):
    __slots__ = ("name", "kind", "has_default", "default", "annotation")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Parameter.Kind]
        POSITIONAL_ONLY: _ClassVar[Parameter.Kind]
        POSITIONAL_OR_KEYWORD: _ClassVar[Parameter.Kind]
        VAR_POSITIONAL: _ClassVar[Parameter.Kind]
        KEYWORD_ONLY: _ClassVar[Parameter.Kind]
        VAR_KEYWORD: _ClassVar[Parameter.Kind]
    KIND_UNSPECIFIED: Parameter.Kind
    POSITIONAL_ONLY: Parameter.Kind
    POSITIONAL_OR_KEYWORD: Parameter.Kind
    VAR_POSITIONAL: Parameter.Kind
    KEYWORD_ONLY: Parameter.Kind
    VAR_KEYWORD: Parameter.Kind
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HAS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    ANNOTATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: Parameter.Kind
    has_default: bool
    default: str
    annotation: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[Parameter.Kind, str]] = ..., has_default: _Optional[bool] = ..., default: _Optional[str] = ..., annotation: _Optional[str] = ...) -> None: ...
