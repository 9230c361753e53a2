"""PHI recognizers, one per module; ``pipeline.deid.registry`` lists which ones run."""

from pipeline.deid.recognizers.age import AgeOver89Recognizer
from pipeline.deid.recognizers.city import CityRecognizer
from pipeline.deid.recognizers.credentialed_person import CredentialedPersonRecognizer
from pipeline.deid.recognizers.date import ChartDateRecognizer
from pipeline.deid.recognizers.dea import DeaRecognizer
from pipeline.deid.recognizers.dictionary_name import DictionaryNameRecognizer
from pipeline.deid.recognizers.email import ChartEmailRecognizer
from pipeline.deid.recognizers.facility import FacilityRecognizer
from pipeline.deid.recognizers.flowsheet_date import FlowsheetRowDateRecognizer
from pipeline.deid.recognizers.initials import InitialsRecognizer
from pipeline.deid.recognizers.labelled_date import LabelledDateRecognizer
from pipeline.deid.recognizers.labelled_id import LabelledIdRecognizer
from pipeline.deid.recognizers.labelled_person import LabelledPersonRecognizer
from pipeline.deid.recognizers.labelled_ssn import LabelledSsnRecognizer
from pipeline.deid.recognizers.mrn import MrnRecognizer
from pipeline.deid.recognizers.npi import NpiRecognizer
from pipeline.deid.recognizers.ocr_date import OcrDateRecognizer
from pipeline.deid.recognizers.patient_name import PATIENT_NAME, PatientNameRecognizer
from pipeline.deid.recognizers.phone import ChartPhoneRecognizer, PagerRecognizer
from pipeline.deid.recognizers.printed_date import PrintedDateRecognizer
from pipeline.deid.recognizers.relative_name import RelativeNameRecognizer
from pipeline.deid.recognizers.street_address import StreetAddressRecognizer
from pipeline.deid.recognizers.titled_person import TitledPersonRecognizer
from pipeline.deid.recognizers.upper_name import UpperCaseNameRecognizer
from pipeline.deid.recognizers.url import ChartUrlRecognizer
from pipeline.deid.recognizers.zip_code import ZipCodeRecognizer

__all__ = [
    "PATIENT_NAME",
    "AgeOver89Recognizer",
    "CityRecognizer",
    "CredentialedPersonRecognizer",
    "ChartDateRecognizer",
    "DeaRecognizer",
    "DictionaryNameRecognizer",
    "ChartEmailRecognizer",
    "FacilityRecognizer",
    "FlowsheetRowDateRecognizer",
    "InitialsRecognizer",
    "LabelledDateRecognizer",
    "LabelledIdRecognizer",
    "LabelledPersonRecognizer",
    "LabelledSsnRecognizer",
    "MrnRecognizer",
    "NpiRecognizer",
    "OcrDateRecognizer",
    "PagerRecognizer",
    "PatientNameRecognizer",
    "ChartPhoneRecognizer",
    "PrintedDateRecognizer",
    "RelativeNameRecognizer",
    "StreetAddressRecognizer",
    "TitledPersonRecognizer",
    "UpperCaseNameRecognizer",
    "ChartUrlRecognizer",
    "ZipCodeRecognizer",
]
